import { Link } from 'react-router';
import { ErrorState, Loading } from '../../components/states.js';
import { useProject } from '../../project.js';
import type { Paginated } from '../../types.js';
import { useApi } from '../../use-api.js';
import type { CohortRef } from '../query.js';

interface CohortChoice {
  id: number;
  name: string | null;
  count: number | null;
  is_static?: boolean;
}

/**
 * The cohorts a trend or funnel is broken down by: "All users" and the project's cohorts, any
 * number at once (PostHog's cohort breakdown: one series per cohort, a person counted in each of
 * their cohorts). `selected` keeps the order the list shows.
 */
export function CohortBreakdownChoices({ selected, onChange }: { selected: CohortRef[]; onChange: (refs: CohortRef[]) => void }) {
  const { project, base } = useProject();
  const cohorts = useApi<Paginated<CohortChoice>>(`/api/projects/${project.id}/cohorts/?limit=1000`);
  if (cohorts.status === 'loading') return <Loading label="Loading cohorts…" />;
  if (cohorts.status === 'error') return <ErrorState error={cohorts.error} retry={cohorts.reload} title="Could not load the cohorts" />;
  const list = cohorts.data.results;
  const known = new Set(list.map((c) => c.id));
  // A cohort of the link that is gone (deleted, or another project's): shown so it can be unticked.
  const missing = selected.filter((r): r is number => r !== 'all' && !known.has(r));
  const order: CohortRef[] = ['all', ...list.map((c) => c.id), ...missing];
  const toggle = (ref: CohortRef, on: boolean) => onChange(order.filter((r) => (r === ref ? on : selected.includes(r))));
  const box = (ref: CohortRef, label: string, detail?: string) => (
    <li key={String(ref)}>
      <label className="check-inline">
        <input type="checkbox" checked={selected.includes(ref)} onChange={(e) => toggle(ref, e.target.checked)} /> {label}
        {detail && <span className="muted small"> {detail}</span>}
      </label>
    </li>
  );
  return (
    <fieldset className="control cohort-choices">
      <legend className="control-label">Cohorts</legend>
      <ul className="cohort-choice-list">
        {box('all', 'All users')}
        {list.map((c) => box(c.id, c.name || `Untitled cohort ${c.id}`, c.count === null ? undefined : `${c.count.toLocaleString()} ${c.count === 1 ? 'person' : 'persons'}`))}
        {missing.map((id) => box(id, `Cohort ${id}`, '(not found)'))}
      </ul>
      {list.length === 0 && (
        <p className="muted small">
          This project has no cohorts yet. <Link to={`${base}/cohorts/new`}>Create a cohort</Link>
        </p>
      )}
    </fieldset>
  );
}
