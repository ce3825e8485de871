import type { Logger } from 'pino';
import type { HttpApp } from '../http/app.js';

export interface Closeable {
  readonly name: string;
  close(): Promise<void>;
}

/**
 * Owns the process: listens, and on SIGINT/SIGTERM stops accepting requests, lets in-flight
 * ones finish, then closes resources in reverse order of opening. A second signal exits at once.
 */
export async function serve(app: HttpApp, options: { host: string; port: number; logger: Logger; resources: readonly Closeable[] }): Promise<string> {
  const address = await app.listen({ host: options.host, port: options.port });
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) {
      options.logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    options.logger.info({ signal }, 'shutting down');
    void shutdown(app, options.resources, options.logger).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
  return address;
}

export async function shutdown(app: HttpApp, resources: readonly Closeable[], logger: Logger): Promise<void> {
  await app.close();
  await closeInReverse(resources, logger);
}

/** Closes the resources last-opened first; a close that fails is logged and the others still close. */
export async function closeInReverse(resources: readonly Closeable[], logger: Logger): Promise<void> {
  for (const resource of [...resources].reverse()) {
    try {
      await resource.close();
    } catch (error) {
      logger.error({ err: error, resource: resource.name }, 'closing a resource failed');
    }
  }
}
