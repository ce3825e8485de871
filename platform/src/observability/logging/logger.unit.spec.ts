import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { ROOT_CONTEXT, context, trace, type Context, type ContextManager } from '@opentelemetry/api';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../logging/logger.js';

function capture(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, text: () => text };
}

/** Enough of a context manager for synchronous code: the SDK installs an async-aware one. */
class StackContextManager implements ContextManager {
  private readonly stack: Context[] = [];
  active = (): Context => this.stack.at(-1) ?? ROOT_CONTEXT;
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(value: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    this.stack.push(value);
    try {
      return fn.call(thisArg, ...args);
    } finally {
      this.stack.pop();
    }
  }
  bind = <T>(_context: Context, target: T): T => target;
  enable = (): this => this;
  disable = (): this => this;
}

afterAll(() => {
  trace.disable();
  context.disable();
});

describe('createLogger', () => {
  it('writes JSON lines with the active trace and span ids and no secrets', () => {
    trace.setGlobalTracerProvider(new BasicTracerProvider());
    context.setGlobalContextManager(new StackContextManager());
    const sink = capture();
    const logger = createLogger({ level: 'info', name: 'svc', destination: sink.stream });
    const span = trace.getTracer('t').startSpan('work');
    context.with(trace.setSpan(context.active(), span), () => logger.info({ user: { password: 'pw-123', name: 'ann' }, url: '/x?token=abc' }, 'hello'));
    span.end();
    const line = JSON.parse(sink.text()) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 'info', name: 'svc', msg: 'hello', trace_id: span.spanContext().traceId, span_id: span.spanContext().spanId });
    expect(line['user']).toEqual({ password: '[redacted]', name: 'ann' });
    expect(line['url']).toBe('/x?token=[redacted]');
  });

  it('LOG_FORMAT=pretty writes readable lines rather than JSON', () => {
    const sink = capture();
    createLogger({ level: 'info', name: 'svc', format: 'pretty', destination: sink.stream }).warn({ secret: 's3cr3t' }, 'careful');
    const text = sink.text();
    expect(text).toContain('WARN');
    expect(text).toContain('careful');
    expect(text).not.toContain('s3cr3t');
    expect(() => JSON.parse(text) as unknown).toThrow();
  });

  it('writes each line to its file descriptor before the call returns, so an exit right after loses and reorders nothing', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'iwf-log-')), 'out.log');
    const fd = openSync(path, 'w');
    try {
      const logger = createLogger({ level: 'info', name: 'svc', fd });
      const written: number[][] = [];
      for (let line = 0; line < 20; line++) {
        logger.info({ line }, 'closing');
        written.push(readLines(path));
      }
      expect(written).toEqual(Array.from({ length: 20 }, (_, count) => Array.from({ length: count + 1 }, (_, line) => line)));
    } finally {
      closeSync(fd);
    }
  });
});

const readLines = (path: string): number[] =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => (JSON.parse(line) as { line: number }).line);
