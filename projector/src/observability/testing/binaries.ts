import { execFileSync } from 'node:child_process';

/** The path of a binary the test needs, or a failure that says how to get it (`pkg`: its Debian package). */
export function requireBinary(name: string, pkg = 'prometheus'): string {
  try {
    return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(`${name} is not installed: run "apt-get install -y ${pkg}" (Debian), or bash scripts/setup.sh, which installs it`);
  }
}
