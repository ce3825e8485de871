import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: unknown;
}

export interface Answer {
  readonly status?: number;
  readonly body?: unknown;
  /** Hold the answer this long (ms), to make a call slow or time out. */
  readonly delayMs?: number;
}

export type Responder = (request: ReceivedRequest, index: number) => Answer | Promise<Answer>;

/** A local HTTP server standing in for the outside world: it records requests and answers as told. */
export interface Receiver {
  readonly url: string;
  /** `host:port`, for OUTBOUND_HOST_MAP targets. */
  readonly origin: string;
  readonly requests: ReceivedRequest[];
  respond(responder: Responder): void;
  /** Resolves once `count` requests (matching the filter) have arrived. */
  waitFor(count: number, filter?: (request: ReceivedRequest) => boolean): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

export async function startReceiver(responder: Responder = () => ({ status: 200, body: { ok: true } })): Promise<Receiver> {
  let answer = responder;
  const requests: ReceivedRequest[] = [];
  const waiters = new Set<() => void>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = text;
      try {
        body = text === '' ? null : (JSON.parse(text) as unknown);
      } catch {
        // Not JSON: keep the text.
      }
      const request = { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, body };
      const index = requests.length;
      requests.push(request);
      waiters.forEach((wake) => wake());
      void Promise.resolve(answer(request, index)).then(async (reply) => {
        if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
        if (res.destroyed) return;
        res.writeHead(reply.status ?? 200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(reply.body ?? {}));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    origin: `127.0.0.1:${port}`,
    requests,
    respond(next) {
      answer = next;
    },
    waitFor(count, filter = () => true) {
      return new Promise((resolve) => {
        const check = (): void => {
          const matching = requests.filter(filter);
          if (matching.length >= count) {
            waiters.delete(check);
            resolve(matching);
          }
        };
        waiters.add(check);
        check();
      });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
