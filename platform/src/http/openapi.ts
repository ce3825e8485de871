import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { HttpApp } from './app.js';

/** Generates the OpenAPI document from the route schemas and serves it with an interactive UI. */
export async function registerOpenApi(app: HttpApp, info: { title: string; version: string }): Promise<void> {
  // The documentation is readable without a token.
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/api/v1/docs')) route.config = { ...route.config, public: true };
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { ...info, description: 'Intelligent Workflows HTTP API. Writes go to the command service, reads to the query service.' },
      servers: [{ url: '/' }],
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/v1/docs', uiConfig: { deepLinking: true } });
  // The UI plugin serves the document at /api/v1/docs/json; API.md names openapi.json.
  app.get('/api/v1/docs/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());
}
