import { z } from 'zod';
import { HedgerowError } from '../errors.js';
import { HogQLError } from '../hogql/ast.js';
import { hogqlErrorToHttp } from './execute.js';
import { queryKinds } from './kinds.js';
import { parseKind, zodToHttp } from './validate.js';
import type { QueryContext } from './query-context.js';

export const queryRequestSchema = z.object({
  query: z.object({ kind: z.string() }).passthrough(),
  refresh: z.union([z.boolean(), z.string()]).optional(),
  client_query_id: z.string().max(200).nullish(),
  name: z.string().max(128).nullish(),
  async: z.boolean().nullish(),
  filters_override: z.unknown().optional(),
  variables_override: z.unknown().optional(),
});

/** `POST /query/`: validates the request, runs the query kind, and wraps it as PostHog's cached-response envelope. */
export async function runQueryRequest(body: unknown, ctx: QueryContext): Promise<Record<string, unknown>> {
  const request = queryRequestSchema.safeParse(body);
  if (!request.success) throw zodToHttp(request.error, 'body');
  const query = request.data.query;
  const kind = Object.hasOwn(queryKinds, query.kind) ? queryKinds[query.kind] : undefined;
  if (!kind) {
    throw new HedgerowError('invalid_input', `query.kind "${String(query.kind).slice(0, 100)}" is not supported; supported kinds: ${Object.keys(queryKinds).join(', ')}`, 'query.kind');
  }
  let response: Record<string, unknown>;
  try {
    response = await kind.run(parseKind(kind.schema, query), ctx);
  } catch (err) {
    if (err instanceof HogQLError) throw hogqlErrorToHttp(err);
    throw err;
  }
  return {
    ...response,
    is_cached: false,
    last_refresh: ctx.now.toISOString(),
    next_allowed_client_refresh: ctx.now.toISOString(),
    cache_key: null,
    timezone: ctx.project.timezone,
    query_status: null,
  };
}
