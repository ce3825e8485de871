import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** Built by infra/kafka-mock/build.sh (scripts/setup.sh runs it). */
export const MOCK_BINARY = fileURLToPath(new URL('../../../../infra/kafka-mock/bin/kafka-mock', import.meta.url));

/** A Kafka cluster a test runs against, with a way to take a broker away and bring it back. */
export interface TestKafkaCluster {
  readonly brokers: string[];
  createTopic(name: string, partitions: number): Promise<void>;
  /** Closes the broker's connections and refuses new ones (partition leadership stays). */
  brokerDown(id: number): Promise<void>;
  brokerUp(id: number): Promise<void>;
  stop(): Promise<void>;
}

/** A librdkafka mock cluster in a child process, driven through its stdin commands. */
export type MockKafkaCluster = TestKafkaCluster;

export function mockClusterAvailable(): boolean {
  return existsSync(MOCK_BINARY);
}

export async function startMockCluster(brokerCount = 3): Promise<MockKafkaCluster> {
  if (!mockClusterAvailable()) throw new Error(`${MOCK_BINARY} is missing: run bash infra/kafka-mock/build.sh`);
  const child: ChildProcessWithoutNullStreams = spawn(MOCK_BINARY, [String(brokerCount)], { stdio: 'pipe' });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const lines = createInterface({ input: child.stdout });
  const waiting: ((line: string) => void)[] = [];
  const early: string[] = [];
  lines.on('line', (line) => {
    const next = waiting.shift();
    if (next) next(line);
    else early.push(line);
  });
  const nextLine = (): Promise<string> =>
    new Promise((resolve, reject) => {
      const line = early.shift();
      if (line !== undefined) return resolve(line);
      waiting.push(resolve);
      void exited.then(() => reject(new Error(`kafka-mock exited: ${stderr.trim()}`)));
    });
  const first = await nextLine();
  const match = /^bootstrap (\S+)$/.exec(first);
  if (!match?.[1]) throw new Error(`kafka-mock printed ${JSON.stringify(first)}`);
  // Commands are answered in order, one line each; serialise them so answers pair up.
  let queue = Promise.resolve();
  const command = (text: string): Promise<void> => {
    const run = queue.then(async () => {
      child.stdin.write(`${text}\n`);
      const reply = await nextLine();
      if (reply !== 'ok') throw new Error(`kafka-mock ${text}: ${reply}`);
    });
    queue = run.catch(() => undefined);
    return run;
  };
  return {
    brokers: match[1].split(','),
    createTopic: (name, partitions) => command(`topic ${name} ${partitions}`),
    brokerDown: (id) => command(`down ${id}`),
    brokerUp: (id) => command(`up ${id}`),
    async stop() {
      if (child.exitCode === null) child.stdin.end('quit\n');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
