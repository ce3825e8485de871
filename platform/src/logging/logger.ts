import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';
import { redactSecrets, redactString } from '../observability/logging/redact.js';
import { traceFields } from '../observability/logging/trace-fields.js';

export interface LoggerOptions {
  readonly level: string;
  readonly name: string;
  /** `pretty` writes coloured lines for a terminal; `json` (the default) one object a line. */
  readonly format?: 'json' | 'pretty';
  /** Where lines go; tests capture them. Without it, lines go to `fd`. */
  readonly destination?: NodeJS.WritableStream;
  /** The file descriptor written without a `destination`: stdout by default. */
  readonly fd?: number;
}

// Paths whose values are replaced before a line is written: credentials and secrets.
const REDACT = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  '*.password',
  '*.token',
  '*.secret',
  '*.api_key',
];

/**
 * Lines to a file descriptor are written before the logging call returns. Buffered writes could
 * lose or reorder the last lines before `process.exit` (a failed start's, a shutdown's): the
 * exit hook writes the buffer synchronously while an earlier write may still be in flight.
 */
export function createLogger(options: LoggerOptions): Logger {
  const fd = options.fd ?? 1;
  const destination =
    options.format === 'pretty' ? pretty({ destination: options.destination ?? fd, sync: true }) : (options.destination ?? pino.destination({ dest: fd, sync: true }));
  const settings = {
    name: options.name,
    level: options.level,
    redact: { paths: REDACT, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    // Every line names the trace it belongs to; secrets are scrubbed at any depth.
    mixin: traceFields,
    formatters: { level: (label: string) => ({ level: label }), log: (object: Record<string, unknown>) => redactSecrets(object) },
    // Serializers (fastify's request one among them) run after `log`; the written line is scrubbed too.
    hooks: { streamWrite: redactString },
  };
  return pino(settings, destination);
}
