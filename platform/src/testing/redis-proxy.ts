import { createServer, connect as connectTcp, type Server, type Socket } from 'node:net';
import { freePort } from './ports.js';

/**
 * A TCP proxy in front of the local Redis on a port of its own: it can be started late (Redis
 * "comes up"), and it can freeze (the connection stays open, nothing is answered).
 */
export interface RedisProxy {
  readonly url: string;
  start(): Promise<void>;
  freeze(): void;
  close(): Promise<void>;
}

/** `database`: the Redis database number the URL names. */
export async function redisProxy(database = 13): Promise<RedisProxy> {
  const port = await freePort();
  const sockets = new Set<Socket>();
  let frozen = false;
  let server: Server | undefined;
  return {
    url: `redis://127.0.0.1:${port}/${database}`,
    async start() {
      server = createServer((client) => {
        const upstream = connectTcp(6379, '127.0.0.1');
        for (const socket of [client, upstream]) {
          sockets.add(socket);
          socket.on('error', () => socket.destroy());
          socket.on('close', () => sockets.delete(socket));
        }
        client.on('data', (chunk) => void (frozen || upstream.write(chunk)));
        upstream.on('data', (chunk) => void (frozen || client.write(chunk)));
      });
      await new Promise<void>((resolve) => server!.listen(port, '127.0.0.1', resolve));
    },
    freeze: () => (frozen = true),
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    },
  };
}
