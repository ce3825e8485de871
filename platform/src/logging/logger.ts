import { pino, type Logger } from 'pino';

export interface LoggerOptions {
  readonly level: string;
  readonly name: string;
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

export function createLogger(options: LoggerOptions): Logger {
  return pino({
    name: options.name,
    level: options.level,
    redact: { paths: REDACT, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  });
}
