import { loadConfig } from '@iwf/platform/config/config';
import { createLogger } from '@iwf/platform/logging/logger';
import { serve, shutdown } from '@iwf/platform/runtime/serve';
import { buildAllInOne } from '../runtime/all-in-one.js';
import { parseOptions, type CliCommand } from './command.js';

export const devCommand: CliCommand = {
  name: 'dev',
  summary: 'Run command, query and projector roles in one process on one port',
  usage: `Usage: iwf dev [--port N] [--host H]

Starts the whole system against DATABASE_URL (created when missing) and REDIS_URL (an
in-process cache is used when no Redis answers), applies migrations, and serves both route
sets on one port (SERVER_PORT, default 8080). Stops cleanly on SIGINT/SIGTERM.`,
  async run(args) {
    const { values } = parseOptions(args, { port: { type: 'string' }, host: { type: 'string' } });
    const config = loadConfig({ ...process.env, ...(values.port ? { SERVER_PORT: values.port } : {}), ...(values.host ? { HOST: values.host } : {}) });
    const logger = createLogger({ level: config.logLevel, name: 'iwf-dev' });
    const { app, resources } = await buildAllInOne(config, logger);
    try {
      const address = await serve(app, { host: config.host, port: config.port, logger, resources });
      logger.info({ address, docs: `${address}/api/v1/docs` }, 'iwf dev is ready');
    } catch (error) {
      await shutdown(app, resources, logger);
      throw error;
    }
    // Runs until a signal; serve() exits the process after a clean shutdown.
    return new Promise<number>(() => undefined);
  },
};
