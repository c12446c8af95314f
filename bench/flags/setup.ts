/**
 * Puts the flags bench's data into a running server through its public API only: a project, the
 * persons (via `/batch/`), three cohorts (person-property, static from a CSV, behavioural) and the
 * 20 flags. Waits until everything is queryable/calculated before returning.
 */
import { performance } from 'node:perf_hooks';
import { type BenchPerson, datasetEvents, staticCohortCsv } from './dataset.js';
import { type CohortIds, flagSpecs } from './flag-specs.js';
import type { BenchServer } from './server.js';

export interface Project {
  id: number;
  api_token: string;
}

/** A flag as the API answers its creation (the fields the in-process evaluator needs). */
export interface ApiFlag {
  id: number;
  key: string;
  name: string;
  filters: Record<string, unknown>;
  active: boolean;
  deleted: boolean;
  version: number;
  ensure_experience_continuity: boolean;
  evaluation_runtime: string;
  evaluation_tags: string[];
  bucketing_identifier: string | null;
  tags: string[];
  created_at: string;
  updated_at: string;
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function api<T>(server: BenchServer, method: string, pathname: string, body?: unknown, expected = [200, 201]): Promise<T> {
  const headers: Record<string, string> = { authorization: `Bearer ${server.personalApiKey}` };
  let payload: RequestInit['body'];
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const res = await fetch(server.url + pathname, { method, headers, body: payload });
  const text = await res.text();
  if (!expected.includes(res.status)) throw new Error(`${method} ${pathname} answered ${res.status}: ${text.slice(0, 500)}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

export function createProject(server: BenchServer, name: string): Promise<Project> {
  return api<Project>(server, 'POST', '/api/projects/', { name });
}

/** One HogQL value (the first cell). */
async function hogqlValue(server: BenchServer, projectId: number, query: string): Promise<unknown> {
  const res = await api<{ results: unknown[][] }>(server, 'POST', `/api/projects/${projectId}/query/`, { query: { kind: 'HogQLQuery', query } });
  return res.results[0]?.[0];
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const BATCH = 500;
const IN_FLIGHT = 4;

/** Sends the dataset through `/batch/` and waits until persons and purchases are queryable. */
export async function loadPersons(server: BenchServer, project: Project, persons: readonly BenchPerson[]): Promise<void> {
  const events = datasetEvents(persons);
  const t0 = performance.now();
  let sent = 0;
  let next = 0;
  let lastPrinted = 0;
  const worker = async () => {
    while (next < events.length) {
      const batch = events.slice(next, (next += BATCH));
      const res = await fetch(`${server.url}/batch/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ api_key: project.api_token, batch }) });
      const text = await res.text();
      if (res.status !== 200) throw new Error(`/batch/ answered ${res.status}: ${text.slice(0, 300)}`);
      sent += batch.length;
      if (sent - lastPrinted >= events.length / 10 || sent === events.length) {
        lastPrinted = sent;
        console.log(`  ingest: ${fmt(sent)} / ${fmt(events.length)} events acknowledged (${fmt(sent / ((performance.now() - t0) / 1000))} events/s)`);
      }
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));

  const purchases = persons.filter((p) => p.purchaser).length;
  let lastCount = -1;
  await waitFor(`${persons.length} persons to be queryable`, async () => {
    const n = Number(await hogqlValue(server, project.id, 'SELECT count() FROM persons'));
    if (n !== lastCount) console.log(`  queryable persons: ${fmt(n)} / ${fmt(persons.length)}`);
    lastCount = n;
    return n === persons.length;
  });
  await waitFor('purchases to be queryable', async () => Number(await hogqlValue(server, project.id, "SELECT count() FROM events WHERE event = 'purchase'")) === purchases);
  await waitFor('the company group type', async () => Number(await hogqlValue(server, project.id, 'SELECT count() FROM groups')) > 0);
  console.log(`  dataset ready in ${fmt((performance.now() - t0) / 1000, 1)} s: ${fmt(persons.length)} persons, ${fmt(purchases)} purchases`);
}

/** The person-property cohort's definition (the in-process evaluator reference matches it the same way). */
export const PROPERTY_COHORT = {
  type: 'OR' as const,
  values: [
    {
      type: 'AND' as const,
      values: [
        { type: 'person', key: 'country', operator: 'exact', value: ['DE', 'FR', 'GB', 'NL', 'ES'] },
        { type: 'person', key: 'age', operator: 'gte', value: 30 },
      ],
    },
  ],
};

interface ApiCohort {
  id: number;
  count: number | null;
  is_calculating: boolean;
}

/** The three cohorts, each created the way a user would; returns once every one has its members counted. */
export async function createCohorts(server: BenchServer, project: Project, persons: readonly BenchPerson[]): Promise<CohortIds> {
  const base = `/api/projects/${project.id}/cohorts/`;
  const property = await api<ApiCohort>(server, 'POST', base, {
    name: 'Europeans 30+',
    filters: { properties: PROPERTY_COHORT },
  });
  const form = new FormData();
  form.set('name', 'VIP list');
  form.set('is_static', 'true');
  form.set('csv', new Blob([staticCohortCsv(persons)]), 'vips.csv');
  const staticCohort = await api<ApiCohort>(server, 'POST', base, form);
  const behavioural = await api<ApiCohort>(server, 'POST', base, {
    name: 'Buyers (30 days)',
    filters: { properties: { type: 'AND', values: [{ type: 'behavioral', value: 'performed_event', key: 'purchase', event_type: 'events', time_value: 30, time_interval: 'day' }] } },
  });
  const expected = new Map([
    [staticCohort.id, persons.filter((p) => p.inStaticCohort).length],
    [behavioural.id, persons.filter((p) => p.purchaser).length],
  ]);
  for (const [id, members] of expected) {
    await waitFor(`cohort ${id} to be calculated`, async () => {
      const c = await api<ApiCohort>(server, 'GET', `${base}${id}/`);
      return c.count !== null && !c.is_calculating;
    });
    const c = await api<ApiCohort>(server, 'GET', `${base}${id}/`);
    if (c.count !== members) throw new Error(`cohort ${id} has ${c.count} members, the dataset puts ${members} in it`);
  }
  console.log(`  cohorts: person-property #${property.id}, static #${staticCohort.id} (${fmt(expected.get(staticCohort.id)!)} from CSV), behavioural #${behavioural.id} (${fmt(expected.get(behavioural.id)!)} buyers)`);
  return { property: property.id, static: staticCohort.id, behavioural: behavioural.id };
}

export async function createFlags(server: BenchServer, project: Project, cohorts: CohortIds): Promise<ApiFlag[]> {
  const created: ApiFlag[] = [];
  const idOf = (key: string) => {
    const flag = created.find((f) => f.key === key);
    if (!flag) throw new Error(`flag ${key} must be created before the flags that depend on it`);
    return flag.id;
  };
  for (const spec of flagSpecs(cohorts, idOf)) {
    created.push(await api<ApiFlag>(server, 'POST', `/api/projects/${project.id}/feature_flags/`, { key: spec.key, name: spec.name, filters: spec.filters() }));
  }
  console.log(`  flags: ${created.length} created (${created.map((f) => f.key).join(', ')})`);
  return created;
}
