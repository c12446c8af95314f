import { expect } from 'vitest';
import { api, createProject, sendBatch } from './api.js';
import { waitForValue } from './query.js';
import type { TestServer } from './server.js';

/**
 * A fresh project holding exactly `batch` (sent through `/batch/`), returned once the events and
 * the persons they create are queryable (persons reach ClickHouse a moment after their events;
 * personless events make none).
 */
export async function scenarioProject(server: TestServer, name: string, batch: Record<string, unknown>[], timezone?: string): Promise<number> {
  let project: { id: number; api_token: string };
  if (timezone) {
    const res = await api<{ id: number; api_token: string }>(server, '/api/projects/', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name, timezone }),
    });
    expect(res.status).toBe(201);
    project = res.body;
  } else project = await createProject(server, name);
  await sendBatch(server, project.api_token, batch);
  await waitForValue(server, project.id, 'SELECT count() FROM events', batch.length);
  const persons = new Set(batch.filter((e) => (e.properties as Record<string, unknown> | undefined)?.$process_person_profile !== false).map((e) => e.distinct_id));
  await waitForValue(server, project.id, 'SELECT count() FROM persons', persons.size);
  return project.id;
}
