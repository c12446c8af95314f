import fs from 'node:fs/promises';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** `vite build` writes the web app here (dist/src/server → dist/web). */
const WEB_ROOT = path.resolve(import.meta.dirname, '../../web');

/**
 * First path segments the server answers itself. Unknown paths under them get the JSON 404, never
 * the app: SDKs and API clients must not receive HTML.
 */
const SERVER_PREFIXES = new Set([
  'api', 'e', 'i', 'batch', 'capture', 'track', 'engage', 'decide', 'flags', 'array', 'static', 's', 'assets',
  '_health', '_readiness', '_liveness',
]);

// The app loads only its own hashed files and calls only this origin; no inline script exists.
// Inline styles are allowed: CodeMirror injects its theme as <style> and ECharts sets style attributes.
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "object-src 'none'",
].join('; ');

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Hedgerow</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; line-height: 1.5">
<h1>The Hedgerow web app is not built</h1>
<p>This server has no <code>dist/web</code>. Build it with <code>npm run build</code> (<code>npm start</code> builds it too), then reload this page.</p>
<p>Capture (<code>/e/</code>, <code>/batch/</code>), flags (<code>/flags/</code>) and the API (<code>/api/</code>) work without it.</p>
</body></html>`;

/** Hashed assets with a year-long immutable cache; gzip/brotli copies written by the build are preferred. */
export async function webAppRoutes(app: FastifyInstance): Promise<void> {
  await app.register(fastifyStatic, {
    root: path.join(WEB_ROOT, 'assets'),
    prefix: '/assets/',
    decorateReply: false,
    index: false,
    immutable: true,
    maxAge: '365d',
    preCompressed: true,
    // A server without a built app still starts; `/` then says how to build it.
    suppressWarning: true,
  });
  app.get('/', (_request, reply) => sendAppShell(reply));
}

/** A browser navigation to an app route (not an API/SDK call): served index.html so React routes it. */
export function isAppNavigation(request: FastifyRequest): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  if (!(request.headers.accept ?? '').includes('text/html')) return false;
  const first = request.url.split(/[/?#]/)[1] ?? '';
  return !SERVER_PREFIXES.has(first);
}

export async function sendAppShell(reply: FastifyReply): Promise<FastifyReply> {
  let html: string;
  try {
    // Read on each navigation (about 1 kB): a rebuild is picked up without a restart.
    html = await fs.readFile(path.join(WEB_ROOT, 'index.html'), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    return reply.status(503).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(NOT_BUILT);
  }
  return reply
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-cache')
    .header('content-security-policy', CONTENT_SECURITY_POLICY)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'same-origin')
    .send(html);
}
