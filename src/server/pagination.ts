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
