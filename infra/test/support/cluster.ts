import { chmod, chown, mkdtemp, readdir, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, run } from './processes.js';

export interface Cluster {
  /** A connection URL for one database of this cluster. */
  url(database: string): string;
  stop(): Promise<void>;
}

/** The newest installed PostgreSQL server binaries (Debian: /usr/lib/postgresql/<major>/bin). */
async function serverBin(): Promise<string> {
  if (process.env['PG_BIN']) return process.env['PG_BIN'];
  const majors = (await readdir('/usr/lib/postgresql')).filter((name) => existsSync(`/usr/lib/postgresql/${name}/bin/initdb`));
  const newest = majors.sort((a, b) => Number(b) - Number(a))[0];
  if (!newest) throw new Error('no PostgreSQL server binaries under /usr/lib/postgresql (install postgresql)');
  return `/usr/lib/postgresql/${newest}/bin`;
}

/**
 * A throwaway PostgreSQL cluster of its own, whose transaction counter starts in epoch
 * `epoch` (pg_resetwal -e before the first start): its transaction ids are at least
 * epoch * 2^32, far above any id a young cluster hands out.
 */
export async function startCluster(options: { epoch: number }): Promise<Cluster> {
  const bin = await serverBin();
  const dir = await mkdtemp(join(tmpdir(), 'iwf-cluster-'));
  const data = join(dir, 'data');
  const port = await freePort();
  // PostgreSQL refuses to run as root; as root, run its tools as the postgres user.
  const asOwner = process.getuid?.() === 0;
  if (asOwner) {
    const uid = Number((await run('id', ['-u', 'postgres'])).trim());
    await chown(dir, uid, uid);
  }
  await chmod(dir, 0o700);
  const tool = (name: string, args: string[]): Promise<string> =>
    asOwner ? run('runuser', ['-u', 'postgres', '--', `${bin}/${name}`, ...args]) : run(`${bin}/${name}`, args);
  await tool('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '-N', '--no-instructions']);
  await tool('pg_resetwal', ['-e', String(options.epoch), data]);
  const serverOptions = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c synchronous_commit=off`;
  await tool('pg_ctl', ['-D', data, '-o', serverOptions, '-l', join(dir, 'server.log'), '-w', 'start']);
  return {
    url: (database) => `postgres://postgres@127.0.0.1:${port}/${database}`,
    async stop() {
      await tool('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
