import type { FastifyInstance } from 'fastify';

/**
 * Capture, config and flags are called cross-origin from browsers. Like PostHog's capture, CORS is
 * fully permissive there: mirror the Origin and requested headers, allow credentials, and answer
 * preflights with 200 `{"status":1}`. The private API (`/api/`) gets none of this.
 */
export function registerPublicCors(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    if (request.url.startsWith('/api/')) return;
    const origin = request.headers.origin;
    if (origin) {
      reply.header('access-control-allow-origin', origin);
      reply.header('access-control-allow-credentials', 'true');
      reply.header('vary', 'Origin');
    } else {
      reply.header('access-control-allow-origin', '*');
    }
    if (request.method === 'OPTIONS') {
      reply.header('access-control-allow-methods', 'GET, POST, OPTIONS');
      const requested = request.headers['access-control-request-headers'];
      if (requested) reply.header('access-control-allow-headers', requested);
      reply.header('access-control-max-age', '86400');
      return reply.status(200).send({ status: 1 });
    }
  });
}
