import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import { HedgerowError } from '../errors.js';
import type { ServerContext } from './context.js';
import { registerPublicCors } from './cors.js';
import { registerApiAuth } from './auth.js';
import { captureRoutes } from './routes/capture.js';
import { remoteConfigRoutes } from './routes/remote-config.js';
import { healthRoutes } from './routes/health.js';
import { projectRoutes } from './routes/projects.js';
import { eventRoutes } from './routes/events.js';

/** Fastify error codes that are the client's fault, mapped onto our catalogue. */
function fromFastifyError(err: FastifyError): HedgerowError | undefined {
  if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new HedgerowError('payload_too_large', `request body exceeds the limit of this endpoint: ${err.message}`);
  if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return new HedgerowError('unsupported_media_type', err.message);
  if (err.validation) return new HedgerowError('invalid_input', err.message);
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) return new HedgerowError('request_decoding_error', err.message);
  return undefined;
}

export async function buildApp(ctx: ServerContext): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: ctx.log as FastifyBaseLogger,
    // Per-request lines would dominate the log at ingest rates; errors are logged by the handler below.
    logController: new LogController({ disableRequestLogging: true }),
    routerOptions: { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true },
    trustProxy: ctx.config.trustedProxies,
    // Route-level limits are set per surface; this is the ceiling for everything else.
    bodyLimit: 1024 * 1024,
    return503OnClosing: true,
  });

  // Bodies stay raw bytes: capture decodes gzip/lz64/base64/forms itself, the API parses JSON itself.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const known = error instanceof HedgerowError ? error : fromFastifyError(error);
    if (known) {
      if (known.status >= 500) request.log.error({ err: error, url: request.url }, 'request failed');
      return reply.status(known.status).send(known.toBody());
    }
    request.log.error({ err: error, method: request.method, url: request.url }, 'unhandled error');
    return reply.status(500).send(new HedgerowError('internal_error', 'internal error; the server log has the details').toBody());
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send(new HedgerowError('not_found', `no route for ${request.method} ${request.url.split('?')[0]}`).toBody()),
  );

  registerPublicCors(app);
  await app.register(healthRoutes);
  await app.register(captureRoutes(ctx));
  await app.register(remoteConfigRoutes(ctx));
  await app.register(async (api) => {
    registerApiAuth(api, ctx);
    await api.register(projectRoutes(ctx));
    await api.register(eventRoutes(ctx));
  });
  return app;
}
