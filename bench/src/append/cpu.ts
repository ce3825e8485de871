import { readFile } from 'node:fs/promises';
import pg from 'pg';

/** CPU time spent per event while measuring: in this process (client side) and in the database backends. */
export interface CpuPerEvent {
  readonly client_us: number;
  /** Undefined when the server's processes are not readable here (a remote server). */
  readonly server_us: number | undefined;
}

export interface CpuMeter {
  stop(events: number): Promise<CpuPerEvent>;
}

/** Starts counting CPU time of this process and of every backend connected to the database. */
export async function startCpuMeter(databaseUrl: string): Promise<CpuMeter> {
  const pids = await backendPids(databaseUrl);
  const serverStart = await serverSeconds(pids);
  const clientStart = process.cpuUsage();
  return {
    async stop(events) {
      const client = process.cpuUsage(clientStart);
      const serverEnd = await serverSeconds(pids);
      const perEvent = (microseconds: number): number => Math.round(microseconds / Math.max(events, 1));
      return {
        client_us: perEvent(client.user + client.system),
        server_us: serverStart === undefined || serverEnd === undefined ? undefined : perEvent((serverEnd - serverStart) * 1e6),
      };
    },
  };
}

async function backendPids(databaseUrl: string): Promise<number[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const result = await client.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
    );
    return result.rows.map((row) => row.pid);
  } finally {
    await client.end();
  }
}

// utime + stime of each process, in clock ticks (USER_HZ is 100 on Linux).
async function serverSeconds(pids: readonly number[]): Promise<number | undefined> {
  try {
    const stats = await Promise.all(pids.map((pid) => readFile(`/proc/${pid}/stat`, 'utf8')));
    return stats.reduce((sum, stat) => {
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return sum + (Number(fields[11]) + Number(fields[12])) / 100;
    }, 0);
  } catch {
    return undefined;
  }
}
