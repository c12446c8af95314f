import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { HedgerowError } from '../errors.js';

/** PostHog's list pages: `limit` (default 100, at most 1000) and an absolute `next` URL. */
export function limitParam(value: string | undefined, max = 1000): number {
  if (value === undefined || value === '') return 100;
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new HedgerowError('invalid_input', 'limit must be a positive integer', 'limit');
  return Math.min(Number(value), max);
}

/** Reads an opaque `cursor` this server issued (base64url JSON checked against `schema`). */
export function decodeCursor<T>(value: string, schema: z.ZodType<T>): T {
  try {
    return schema.parse(JSON.parse(Buffer.from(value, 'base64url').toString('utf8')));
  } catch {
    throw new HedgerowError('invalid_input', 'cursor is not one this server issued', 'cursor');
  }
}

/** The request's own URL with `cursor` set to `position`: keyset pages never skip or repeat ties. */
export function nextUrl(request: FastifyRequest, position: unknown): string {
  const url = new URL(request.url, `${request.protocol}://${request.host}`);
  url.searchParams.set('cursor', Buffer.from(JSON.stringify(position)).toString('base64url'));
  return url.toString();
}

/** DRF's LimitOffsetPagination parameters: `limit` (default 100) and `offset` (default 0); anything else is a 400. */
export function limitOffsetParams(q: { limit?: string; offset?: string }): { limit: number; offset: number } {
  const int = (name: string, value: string | undefined, fallback: number, min: number): number => {
    if (value === undefined || value === '') return fallback;
    if (!/^\d{1,15}$/.test(value) || Number(value) < min) throw new HedgerowError('invalid_input', `${name} must be an integer of at least ${min}`, name);
    return Number(value);
  };
  return { limit: int('limit', q.limit, 100, 1), offset: int('offset', q.offset, 0, 0) };
}

/** DRF's LimitOffsetPagination page: `{count, next, previous, results}` with absolute `next`/`previous` URLs. */
export function limitOffsetPage<T>(request: FastifyRequest, page: { limit: number; offset: number; count: number; results: T[] }) {
  const url = (offset: number | null): string => {
    const u = new URL(request.url, `${request.protocol}://${request.host}`);
    u.searchParams.set('limit', String(page.limit));
    if (offset === null) u.searchParams.delete('offset');
    else u.searchParams.set('offset', String(offset));
    return u.toString();
  };
  const { limit, offset, count } = page;
  return {
    count,
    next: offset + limit < count ? url(offset + limit) : null,
    previous: offset <= 0 ? null : offset - limit <= 0 ? url(null) : url(offset - limit),
    results: page.results,
  };
}

/** A query-string parameter holding JSON (e.g. `properties=[…]`), validated by a schema; errors name the parameter. */
export function jsonParam<T>(raw: string | undefined, schema: z.ZodType<T>, name: string, expected: string): T | undefined {
  if (raw === undefined || raw === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new HedgerowError('invalid_input', `${name} must be ${expected}`, name);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new HedgerowError('invalid_input', `${name}${issue.path.map((p) => `[${String(p)}]`).join('')}: ${issue.message}`, name);
  }
  return parsed.data;
}
