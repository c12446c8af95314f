import type { TestServer } from './server.js';

export interface ApiEvent {
  id: string;
  distinct_id: string;
  event: string;
  timestamp: string;
  properties: Record<string, unknown>;
  elements_chain: string;
}

export async function api<T = unknown>(
  server: TestServer,
  pathname: string,
  init: RequestInit & { key?: string | null } = {},
): Promise<{ status: number; body: T }> {
  const { key = server.personalApiKey, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (key) headers.set('authorization', `Bearer ${key}`);
  const res = await fetch(server.url + pathname, { ...rest, headers });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

/** Follows `next` links and returns every event of the project matching the query. */
export async function allEvents(server: TestServer, projectId: number | string, query = '', key?: string, pageSize = 1000): Promise<ApiEvent[]> {
  const out: ApiEvent[] = [];
  let next: string | null = `${server.url}/api/projects/${projectId}/events/?limit=${pageSize}${query ? '&' + query : ''}`;
  while (next) {
    const res: { status: number; body: { results: ApiEvent[]; next: string | null } } = await api(server, next.slice(server.url.length), { key });
    if (res.status !== 200) throw new Error(`events API answered ${res.status}: ${JSON.stringify(res.body)}`);
    out.push(...res.body.results);
    next = res.body.next;
  }
  return out;
}

/** Creates a project (tests isolate by project) and returns its id and token. */
export async function createProject(server: TestServer, name: string): Promise<{ id: number; api_token: string }> {
  const res = await api<{ id: number; api_token: string }>(server, '/api/projects/', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  if (res.status !== 201) throw new Error(`project create answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

export async function capture(
  server: TestServer,
  pathname: string,
  body: RequestInit['body'],
  headers: Record<string, string> = { 'content-type': 'application/json' },
  method = 'POST',
): Promise<{ status: number; body: any; text: string }> {
  const res = await fetch(server.url + pathname, { method, headers, body: method === 'GET' ? undefined : body });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: res.status, body: parsed, text };
}

/** Sends events through `/batch/` with a project token and expects them accepted. */
export async function sendBatch(server: TestServer, token: string, batch: unknown[]): Promise<void> {
  const res = await capture(server, '/batch/', JSON.stringify({ api_key: token, batch }));
  if (res.status !== 200) throw new Error(`/batch/ answered ${res.status}: ${res.text}`);
}
