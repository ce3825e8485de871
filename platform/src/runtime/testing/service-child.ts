import { createHttpApp } from '../../http/app.js';
import { runService } from '../service.js';

/**
 * A service for service.int.spec.ts, run as its own process: it owns `first`, `second` (whose
 * close throws) and `third`, each logging `closing`. IWF_TEST_SCENARIO=fail stops the start
 * before `third` opens; =hang makes `third` never finish closing.
 */
const scenario = process.env['IWF_TEST_SCENARIO'];

runService({ name: 'lifecycle-test', version: '0.0.0' }, async ({ config, logger, own }) => {
  own({
    name: 'first',
    close: async () => {
      const metrics = await fetch(`http://${config.host}:${config.metricsPort}/health`).then(
        (response) => response.ok,
        () => false,
      );
      logger.info({ resource: 'first', metrics }, 'closing');
    },
  });
  own({
    name: 'second',
    close: () => {
      logger.info({ resource: 'second' }, 'closing');
      throw new Error('second would not close');
    },
  });
  if (scenario === 'fail') throw new Error('third would not open');
  own({
    name: 'third',
    close: async () => {
      logger.info({ resource: 'third' }, 'closing');
      // A timer keeps the process alive while the close never finishes.
      if (scenario === 'hang') await new Promise(() => setInterval(() => undefined, 1_000));
    },
  });
  const app = await createHttpApp({ config, logger });
  app.get('/ping', { config: { public: true } }, async () => ({ pong: true }));
  app.addHook('onClose', async () => logger.info('api closed'));
  return app;
});
