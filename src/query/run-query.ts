import { z } from 'zod';
import { HedgerowError } from '../errors.js';
import { HogQLError } from '../hogql/ast.js';
import { actorsQuerySchema, runActorsQuery } from './actors-query.js';
import { eventsQuerySchema, runEventsQuery } from './events-query.js';
import { hogqlErrorToHttp } from './execute.js';
import { hogqlQuerySchema, runHogQLQuery } from './hogql-query.js';
import type { QueryContext } from './query-context.js';

const KINDS = ['HogQLQuery', 'EventsQuery', 'ActorsQuery'] as const;

export const queryRequestSchema = z.object({
  query: z.object({ kind: z.string() }).passthrough(),
  refresh: z.union([z.boolean(), z.string()]).optional(),
  client_query_id: z.string().max(200).nullish(),
  name: z.string().max(128).nullish(),
  async: z.boolean().nullish(),
  filters_override: z.unknown().optional(),
  variables_override: z.unknown().optional(),
});

type Issue = z.core.$ZodIssue;

/** The most specific issue: inside a union, the branch that got furthest into the value. */
function specific(issue: Issue, base: PropertyKey[] = []): { path: PropertyKey[]; message: string } {
  const path = [...base, ...issue.path];
  if (issue.code === 'invalid_union' && issue.errors.length) {
    const candidates = issue.errors.flatMap((branch) => branch.map((i) => specific(i, path)));
    candidates.sort((a, b) => b.path.length - a.path.length);
    if (candidates[0] && candidates[0].path.length > path.length) return candidates[0];
  }
  return { path, message: issue.message };
}

function zodToHttp(err: z.ZodError, prefix: string): HedgerowError {
  const { path, message } = specific(err.issues[0]!);
  const attr = [prefix, ...path.map(String)].join('.');
  return new HedgerowError('invalid_input', `${attr}: ${message}`, attr);
}

function parseKind<T>(schema: z.ZodType<T>, query: unknown): T {
  const parsed = schema.safeParse(query);
  if (!parsed.success) throw zodToHttp(parsed.error, 'query');
  return parsed.data;
}

/** `POST /query/`: validates the request, runs the query kind, and wraps it as PostHog's cached-response envelope. */
export async function runQueryRequest(body: unknown, ctx: QueryContext): Promise<Record<string, unknown>> {
  const request = queryRequestSchema.safeParse(body);
  if (!request.success) throw zodToHttp(request.error, 'body');
  const query = request.data.query;
  let response: Record<string, unknown>;
  try {
    switch (query.kind) {
      case 'HogQLQuery':
        response = await runHogQLQuery(parseKind(hogqlQuerySchema, query), ctx);
        break;
      case 'EventsQuery':
        response = await runEventsQuery(parseKind(eventsQuerySchema, query), ctx);
        break;
      case 'ActorsQuery':
        response = await runActorsQuery(parseKind(actorsQuerySchema, query), ctx);
        break;
      default:
        throw new HedgerowError('invalid_input', `query.kind "${String(query.kind).slice(0, 100)}" is not supported; supported kinds: ${KINDS.join(', ')}`, 'query.kind');
    }
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
