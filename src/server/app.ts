import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import { HedgerowError } from '../errors.js';
import type { ServerContext } from './context.js';
import { registerPublicCors } from './cors.js';
import { registerApiAuth } from './auth.js';
import { captureRoutes } from './routes/capture.js';
import { remoteConfigRoutes } from './routes/remote-config.js';
import { flagRoutes } from './routes/flags.js';
import { healthRoutes } from './routes/health.js';
import { projectRoutes } from './routes/projects.js';
import { eventRoutes } from './routes/events.js';
import { personalApiKeyRoutes } from './routes/personal-api-keys.js';
import { personRoutes } from './routes/persons.js';
import { queryRoutes } from './routes/query.js';
import { actionRoutes } from './routes/actions.js';
import { insightRoutes } from './routes/insights.js';
import { dashboardRoutes } from './routes/dashboards.js';
import { groupRoutes } from './routes/groups.js';
import { definitionRoutes } from './routes/definitions.js';
import { cohortRoutes } from './routes/cohorts.js';
import { experimentRoutes } from './routes/experiments.js';
import { featureFlagRoutes } from './routes/feature-flags.js';
import { loginRoutes, userRoutes } from './routes/session.js';
import { SessionStore } from '../metadata/sessions.js';
import { propertyValueRoutes } from './routes/property-values.js';
import { sdkAssetRoutes } from './routes/sdk-assets.js';
import { isAppNavigation, sendAppShell, webAppRoutes } from './web-app.js';

const DEFAULT_BODY_LIMIT = 1024 * 1024;
/** Oversized bodies are read and discarded up to here so the client can read its 413; past it, the socket is cut. */
const DISCARD_CEILING = 128 * 1024 * 1024;

/**
 * Reads a body up to `limit`. An oversized body is drained (not buffered) before answering 413:
 * closing the socket mid-upload would hand SDKs a network error instead (posthog-node halves its
 * batch only when it can read the 413).
 */
function readBody(limit: number, payload: NodeJS.ReadableStream, done: (err: Error | null, body?: Buffer) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  payload.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= limit) chunks.push(chunk);
    else if (size > DISCARD_CEILING) (payload as NodeJS.ReadableStream & { destroy(): void }).destroy();
  });
  payload.on('error', (err: Error) => done(err));
  payload.on('end', () => {
    if (size > limit) done(new HedgerowError('payload_too_large', `request body of ${size} bytes exceeds the limit of ${limit} bytes for this endpoint`));
    else done(null, Buffer.concat(chunks, size));
  });
}

/** Fastify error codes that are the client's fault, mapped onto our catalogue. */
function fromFastifyError(err: FastifyError): HedgerowError | undefined {
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
    bodyLimit: DEFAULT_BODY_LIMIT,
    return503OnClosing: true,
  });

  // Bodies stay raw bytes: capture decodes gzip/lz64/base64/forms itself, the API parses JSON itself.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (request, payload, done) => readBody(request.routeOptions.bodyLimit ?? DEFAULT_BODY_LIMIT, payload, done));

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const known = error instanceof HedgerowError ? error : fromFastifyError(error);
    if (known) {
      if (known.status >= 500) request.log.error({ err: error, url: request.url }, 'request failed');
      return reply.status(known.status).send(known.toBody());
    }
    request.log.error({ err: error, method: request.method, url: request.url }, 'unhandled error');
    return reply.status(500).send(new HedgerowError('internal_error', 'internal error; the server log has the details').toBody());
  });
  app.setNotFoundHandler((request, reply) => {
    // The web app's routes (/login, /project/1/home…) are client-side: a browser navigation gets the app.
    if (isAppNavigation(request)) return sendAppShell(reply);
    return reply.status(404).send(new HedgerowError('not_found', `no route for ${request.method} ${request.url.split('?')[0]}`).toBody());
  });

  registerPublicCors(app);
  await app.register(healthRoutes);
  await app.register(captureRoutes(ctx));
  await app.register(remoteConfigRoutes(ctx));
  await app.register(flagRoutes(ctx));
  await app.register(sdkAssetRoutes());
  const sessions = new SessionStore(ctx.pg);
  await app.register(loginRoutes(ctx, sessions));
  await app.register(webAppRoutes);
  await app.register(async (api) => {
    registerApiAuth(api, ctx, sessions);
    await api.register(userRoutes(ctx));
    await api.register(projectRoutes(ctx));
    await api.register(eventRoutes(ctx));
    await api.register(propertyValueRoutes(ctx));
    await api.register(personalApiKeyRoutes(ctx));
    await api.register(personRoutes(ctx));
    await api.register(groupRoutes(ctx));
    await api.register(definitionRoutes(ctx));
    await api.register(queryRoutes(ctx));
    await api.register(actionRoutes(ctx));
    await api.register(insightRoutes(ctx));
    await api.register(dashboardRoutes(ctx));
    await api.register(cohortRoutes(ctx));
    await api.register(experimentRoutes(ctx));
    await api.register(featureFlagRoutes(ctx));
  });
  return app;
}
