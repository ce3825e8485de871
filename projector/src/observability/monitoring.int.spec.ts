import { execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { requireBinary } from './testing/binaries.js';
import { MONITORING, alertExpressions } from './testing/promql-names.js';

const run = promisify(execFile);

async function promtool(...args: string[]): Promise<string> {
  const binary = requireBinary('promtool');
  try {
    const { stdout, stderr } = await run(binary, args, { cwd: MONITORING });
    return stdout + stderr;
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string };
    throw new Error(`promtool ${args.join(' ')} failed:\n${failed.stdout ?? ''}${failed.stderr ?? ''}`);
  }
}

const ruleFiles = readdirSync(join(MONITORING, 'alerts')).filter((file) => file.endsWith('.yml')).map((file) => `alerts/${file}`);
const ruleTests = readdirSync(join(MONITORING, 'alerts/tests')).filter((file) => file.endsWith('.yml')).map((file) => `alerts/tests/${file}`);

describe('monitoring/ with promtool', () => {
  it('prometheus.yml is a valid configuration and loads the alert rules', async () => {
    const output = await promtool('check', 'config', 'prometheus/prometheus.yml');
    expect(output).toContain('is valid prometheus config file syntax');
    for (const file of ruleFiles) expect(output).toContain(`Checking ${file}`);
  });

  it('the alert rules are valid', async () => {
    const output = await promtool('check', 'rules', ...ruleFiles);
    expect(output).not.toContain('FAILED');
    expect(output.match(/SUCCESS: \d+ rules found/g)).toHaveLength(ruleFiles.length);
  });

  it('rule unit tests fire and resolve every alert', async () => {
    const output = await promtool('test', 'rules', ...ruleTests);
    expect(output.match(/SUCCESS/g)).toHaveLength(ruleTests.length);
    // Every alert defined has a test case that expects it to fire.
    const alerts = alertExpressions().map((source) => source.where.split(': ')[1]);
    const tests = ruleTests.map((file) => readFileSync(join(MONITORING, file), 'utf8')).join('\n');
    for (const alert of alerts) {
      expect(tests, `${alert} has a firing case`).toMatch(new RegExp(`alertname: ${alert}\\n\\s+exp_alerts:\\n\\s+- exp_labels`));
      expect(tests, `${alert} has a quiet or resolved case`).toContain(`alertname: ${alert}, exp_alerts: [] }`);
    }
  });
});
