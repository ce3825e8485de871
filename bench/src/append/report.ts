import type { CellResult } from './run-cell.js';
import type { SystemName } from './systems/system.js';

export interface CellReport {
  readonly writers: number;
  readonly batch: number;
  readonly results: Partial<Record<SystemName, CellResult>>;
  readonly ratios: { readonly ours_over_emmett?: number; readonly ours_over_ceiling?: number };
  /** Events per second of every round, per system; `results` holds each system's median round. */
  readonly all_rounds: Partial<Record<SystemName, number[]>>;
}

export function ratios(results: Partial<Record<SystemName, CellResult>>): CellReport['ratios'] {
  const rate = (name: SystemName): number | undefined => results[name]?.events_per_second;
  const divide = (a?: number, b?: number): number | undefined => (a !== undefined && b ? Math.round((a / b) * 100) / 100 : undefined);
  return { ours_over_emmett: divide(rate('ours'), rate('emmett')), ours_over_ceiling: divide(rate('ours'), rate('ceiling')) };
}

const HEADERS = ['writers', 'batch', 'ours ev/s', 'emmett ev/s', 'ceiling ev/s', 'ours/emmett', 'ours/ceiling', 'p99 ms (o/e/c)'];

/** Right-aligned columns under a header and a rule. */
function columns(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => row[column]?.length ?? 0)));
  const line = (cells: readonly string[]): string => cells.map((text, column) => text.padStart(widths[column] ?? 0)).join('  ');
  return [line(headers), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}

/** Client and server CPU microseconds per event for each system. */
export function formatCpuTable(cells: readonly CellReport[]): string {
  const names = ['ours', 'emmett', 'ceiling'] as const;
  const rows = cells.map((cell) => [
    String(cell.writers),
    String(cell.batch),
    ...names.map((name) => {
      const cpu = cell.results[name]?.cpu_per_event;
      return cpu ? `${cpu.client_us} / ${cpu.server_us ?? '?'}` : '-';
    }),
  ]);
  return columns(['writers', 'batch', ...names], rows);
}

/** A fixed-width text table of events per second and the two ratios. */
export function formatTable(cells: readonly CellReport[]): string {
  const rows = cells.map((cell) => {
    const rate = (name: SystemName): string => cell.results[name]?.events_per_second.toLocaleString('en-US') ?? '-';
    const p99 = (['ours', 'emmett', 'ceiling'] as const).map((name) => cell.results[name]?.latency_ms.p99.toFixed(1) ?? '-').join('/');
    const ratio = (value?: number): string => (value === undefined ? '-' : `${value.toFixed(2)}x`);
    return [String(cell.writers), String(cell.batch), rate('ours'), rate('emmett'), rate('ceiling'), ratio(cell.ratios.ours_over_emmett), ratio(cell.ratios.ours_over_ceiling), p99];
  });
  return columns(HEADERS, rows);
}
