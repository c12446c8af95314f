import { api } from './api.js';
import type { TestServer } from './server.js';

export interface QueryError {
  type: string;
  code: string;
  detail: string;
  attr: string | null;
  start?: number | null;
  end?: number | null;
}

export interface HogQLResponse {
  results: unknown[][];
  columns: string[];
  types: [string, string][];
  hogql: string;
  clickhouse: string;
  hasMore: boolean;
  limit: number | null;
  offset: number;
  timings: { k: string; t: number }[];
  timezone: string;
  is_cached: boolean;
}

/** POSTs any query kind to `/api/projects/:id/query/`. */
export async function postQuery<T = HogQLResponse>(server: TestServer, projectId: number | string, query: Record<string, unknown>, key?: string | null) {
  return api<T & QueryError>(server, `/api/projects/${projectId}/query/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
    key,
  });
}

/** Runs a HogQLQuery; `extra` adds `values`, `filters`, … */
export function hogql(server: TestServer, projectId: number | string, query: string, extra: Record<string, unknown> = {}, key?: string | null) {
  return postQuery(server, projectId, { kind: 'HogQLQuery', query, ...extra }, key);
}

/** Polls until `query` returns `expected` as its single value (ingestion is asynchronous to readers only by ms). */
export async function waitForValue(server: TestServer, projectId: number, query: string, expected: unknown, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    const res = await hogql(server, projectId, query);
    last = res.status === 200 ? res.body.results[0]?.[0] : res.body;
    if (res.status === 200 && JSON.stringify(last) === JSON.stringify(expected)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`"${query}" did not reach ${JSON.stringify(expected)}; last: ${JSON.stringify(last)}`);
}
