import type { FastifyInstance } from 'fastify';

/** The server listens only once engines are open and migrated, so answering at all means ready. */
export async function healthRoutes(app: FastifyInstance): Promise<void> {
  for (const path of ['/_health', '/_readiness', '/_liveness']) {
    app.get(path, async () => ({ status: 'ok' }));
  }
}
