/** The slice of a pino logger the runner uses, so any pino instance can be passed in. */
export interface RunnerLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** JSON lines on stderr, for callers that do not pass a logger. */
export const stderrLogger: RunnerLogger = {
  info: (fields, message) => write('info', fields, message),
  warn: (fields, message) => write('warn', fields, message),
  error: (fields, message) => write('error', fields, message),
};

function write(level: string, fields: object, message: string): void {
  const line = { level, time: new Date().toISOString(), ...fields, msg: message };
  process.stderr.write(`${JSON.stringify(line, printable)}\n`);
}

// Errors would print as {} and bigints would throw.
function printable(_key: string, value: unknown): unknown {
  if (value instanceof Error) return value.message;
  return typeof value === 'bigint' ? value.toString() : value;
}
