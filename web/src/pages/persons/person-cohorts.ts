import { api } from '../../api.js';
import type { Paginated } from '../../types.js';

interface CohortRow {
  id: number;
  name: string;
  is_static: boolean;
  is_calculating: boolean;
  version: number | null;
  count: number | null;
}

export interface Membership {
  id: number;
  name: string;
  is_static: boolean;
  /** null: the cohort has never been calculated, so membership is not known yet. */
  member: boolean | null;
}

/** Columns per query: keeps one statement small however many cohorts a project has. */
const CHUNK = 100;

/**
 * The cohorts a person belongs to. Asking each cohort for its members would be one request per
 * cohort and read whole memberships; instead one HogQL query asks every cohort at once:
 * `SELECT toUUID({person}) IN COHORT 1 AS c0, toUUID({person}) IN COHORT 7 AS c1, …` (no FROM).
 * Each `IN COHORT n` is a lookup in the cohort's stored membership at its current version (static
 * and dynamic alike), so the cost is one indexed probe per cohort, not a recalculation.
 */
export async function personCohorts(projectId: number, personUuid: string, signal?: AbortSignal): Promise<Membership[]> {
  const cohorts = await api.get<Paginated<CohortRow>>(`/api/projects/${projectId}/cohorts/?limit=1000`, signal);
  const known = cohorts.results.filter((c) => c.version !== null);
  const member = new Map<number, boolean>();
  const chunks: CohortRow[][] = [];
  for (let i = 0; i < known.length; i += CHUNK) chunks.push(known.slice(i, i + CHUNK));
  await Promise.all(
    chunks.map(async (chunk) => {
      const columns = chunk.map((c, i) => `toUUID({person}) IN COHORT ${Math.trunc(c.id)} AS c${i}`).join(', ');
      const res = await api.post<{ results: number[][] }>(`/api/projects/${projectId}/query/`, {
        query: { kind: 'HogQLQuery', query: `SELECT ${columns}`, values: { person: personUuid } },
      });
      const row = res.results[0] ?? [];
      chunk.forEach((c, i) => member.set(c.id, row[i] === 1));
    }),
  );
  return cohorts.results.map((c) => ({ id: c.id, name: c.name, is_static: c.is_static, member: member.get(c.id) ?? null }));
}
