import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import zlib from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HedgerowError } from '../../errors.js';

/**
 * posthog-js's browser bundles, served where posthog-js looks for them. With a self-hosted
 * `api_host` it loads the HTML snippet's `array.js` and its lazy extensions (`recorder.js`,
 * `surveys.js`, `exception-autocapture.js`, …) from `<api_host>/static/<file>.js?v=<version>`
 * (older builds: `/static/<version>/<file>.js`). Serving them here makes PostHog's own HTML
 * snippet work with nothing but `api_host` changed.
 */
const DIST = path.dirname(createRequire(import.meta.url).resolve('posthog-js/dist/array.js'));
const BUNDLE_NAME = /^[a-z0-9][a-z0-9.-]*\.js$/;

interface Bundle {
  raw: Buffer;
  gzip: Buffer;
  etag: string;
}

export function sdkAssetRoutes() {
  // Bundles are read and gzipped once, on first request (a few hundred kB each).
  const cache = new Map<string, Bundle>();

  function bundle(name: string): Bundle | null {
    const cached = cache.get(name);
    if (cached) return cached;
    const file = path.join(DIST, name);
    if (!BUNDLE_NAME.test(name) || !fs.existsSync(file)) return null;
    const raw = fs.readFileSync(file);
    const stat = fs.statSync(file);
    const loaded = { raw, gzip: zlib.gzipSync(raw), etag: `"${stat.size.toString(16)}-${stat.mtimeMs.toString(16)}"` };
    cache.set(name, loaded);
    return loaded;
  }

  function send(request: FastifyRequest, reply: FastifyReply, name: string) {
    const found = bundle(name);
    if (!found) throw new HedgerowError('not_found', `no posthog-js bundle named ${JSON.stringify(name)} here`);
    reply
      .header('content-type', 'application/javascript; charset=utf-8')
      // Unversioned names: cache briefly; the ETag makes revalidation cheap.
      .header('cache-control', 'public, max-age=3600')
      .header('etag', found.etag)
      .header('vary', 'accept-encoding');
    if (request.headers['if-none-match'] === found.etag) return reply.code(304).send();
    if (/\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''))) return reply.header('content-encoding', 'gzip').send(found.gzip);
    return reply.send(found.raw);
  }

  return async function routes(app: FastifyInstance): Promise<void> {
    app.get<{ Params: { file: string } }>('/static/:file', (request, reply) => send(request, reply, request.params.file));
    app.get<{ Params: { version: string; file: string } }>('/static/:version/:file', (request, reply) => send(request, reply, request.params.file));
  };
}
