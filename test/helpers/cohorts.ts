import { expect } from 'vitest';
import { api } from './api.js';
import type { TestServer } from './server.js';

/** A cohort as the cohorts API returns it (the fields tests look at). */
export interface CohortBody {
  id: number;
  name: string;
  count: number | null;
  is_calculating: boolean;
  is_static: boolean;
  cohort_type: string;
  filters: unknown;
  errors_calculating: number;
  deleted: boolean;
}

/** Waits until the cohort's membership is calculated (count set, not calculating). */
export async function waitCalculated(server: TestServer, projectId: number, id: number, timeoutMs = 15_000): Promise<CohortBody> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await api<CohortBody>(server, `/api/projects/${projectId}/cohorts/${id}/`);
    expect(res.status).toBe(200);
    if (!res.body.is_calculating && res.body.count !== null) return res.body;
    if (Date.now() > deadline) throw new Error(`cohort ${id} not calculated: ${JSON.stringify(res.body)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Creates a cohort through the API (`{name, filters}` or any PostHog cohort body) and waits until it is calculated. */
export async function createCohort(server: TestServer, projectId: number, body: Record<string, unknown>): Promise<CohortBody> {
  const res = await api<CohortBody>(server, `/api/projects/${projectId}/cohorts/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return waitCalculated(server, projectId, res.body.id);
}

/** Soft-deletes a cohort (`PATCH {deleted: true}`). */
export async function deleteCohort(server: TestServer, projectId: number, id: number): Promise<void> {
  const res = await api(server, `/api/projects/${projectId}/cohorts/${id}/`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ deleted: true }),
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

/** A cohort whose persons have person property `key` equal to `value` (or matching `operator`). */
export function personPropertyCohort(name: string, key: string, value: unknown, operator = 'exact'): Record<string, unknown> {
  return { name, filters: { properties: { type: 'AND', values: [{ type: 'person', key, value, operator }] } } };
}
