import type { FastifyInstance, RouteOptions } from 'fastify';
import type { Permission } from './permissions.js';

/** A registered route as authorization sees it; the route×role matrix test walks these. */
export interface RouteEntry {
  readonly method: string;
  readonly url: string;
  readonly permission: Permission | undefined;
  readonly public: boolean;
  /** The route's JSON schemas (the fuzz tests generate requests from them). */
  readonly schema: { readonly body?: unknown; readonly querystring?: unknown; readonly params?: unknown };
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route registered after the security plugin, with its permission. */
    readonly securityRoutes: readonly RouteEntry[];
  }
}

/**
 * Records every route from now on (fastify's onRoute hook), child plugins' too. Read lazily:
 * onRoute hooks added later (the docs marking their routes public) still change the config.
 */
export function recordRoutes(app: FastifyInstance): void {
  const options: RouteOptions[] = [];
  app.decorate('securityRoutes', {
    getter: () =>
      options.flatMap((route) => {
        const config = route.config ?? {};
        return (Array.isArray(route.method) ? route.method : [route.method]).map((method) => ({
          method,
          url: route.url,
          permission: config.permission,
          public: config.public === true,
          schema: { body: route.schema?.body, querystring: route.schema?.querystring, params: route.schema?.params },
        }));
      }),
  });
  app.addHook('onRoute', (route) => void options.push(route));
}
