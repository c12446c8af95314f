import { useEffect, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api, ApiError, errorMessage } from '../../api.js';
import { ConfirmDialog } from '../../components/dialog.js';
import { ErrorState, Loading } from '../../components/states.js';
import { formatDateTime, timeAgo } from '../../format.js';
import { usePageTitle, useProject } from '../../project.js';
import type { Paginated } from '../../types.js';
import { useApi } from '../../use-api.js';
import { CohortCriteriaEditor } from './cohort-criteria.js';
import type { Choices, Option } from './cohort-criterion.js';
import { countCriteria, definitionFromFilters, filtersFromDefinition, newDefinition, type CohortDefinition } from './cohort-definition.js';
import { CohortMembers } from './cohort-members.js';
import { isCalculating, type Cohort, type CohortFilters } from './cohort-model.js';
import { CohortQueryField } from './cohort-query-field.js';
import { sendCohortForm } from './cohort-upload.js';
import { CohortCount } from './cohorts-list.js';

/** `/cohorts/new` and `/cohorts/:id`: name, type, criteria (or CSV), and the members once calculated. */
export default function CohortEditor() {
  const { project, base } = useProject();
  const { cohortId = 'new' } = useParams();
  const isNew = cohortId === 'new';
  const cohort = useApi<Cohort | null>(isNew ? 'cohort:new' : `/api/projects/${project.id}/cohorts/${cohortId}/`, isNew ? async () => null : undefined);
  usePageTitle(isNew ? 'New cohort' : cohort.status === 'ready' && cohort.data ? cohort.data.name || 'Cohort' : 'Cohort', project.name);

  // A save answers before the recalculation it starts is visible (same version, not calculating), so
  // after a save the page waits for a newer version (or a new error) as well as for is_calculating.
  const [awaiting, setAwaiting] = useState<{ version: number; errors: number; since: number } | null>(null);
  const data = cohort.status === 'ready' ? cohort.data : null;
  const recalculating =
    awaiting !== null && data !== null && (data.version ?? 0) <= awaiting.version && data.errors_calculating <= awaiting.errors && Date.now() - awaiting.since < 120_000;
  const calculating = data !== null && (isCalculating(data) || recalculating);
  const { reload } = cohort;
  useEffect(() => {
    if (!calculating) return;
    const timer = setInterval(reload, 1000);
    return () => clearInterval(timer);
  }, [calculating, reload]);

  if (cohort.status === 'loading') return <Loading label="Loading cohort…" />;
  if (cohort.status === 'error') {
    const missing = cohort.error instanceof ApiError && cohort.error.status === 404;
    return (
      <>
        <ErrorState title={missing ? 'Cohort not found' : 'Could not load this cohort'} error={cohort.error} retry={missing ? undefined : cohort.reload} />
        <p>
          <Link to={`${base}/cohorts`}>All cohorts</Link>
        </p>
      </>
    );
  }
  return (
    <CohortForm
      key={cohort.data?.id ?? 'new'}
      cohort={cohort.data}
      calculating={calculating}
      onSaved={(saved, recalculates) => {
        cohort.setData(saved);
        if (recalculates) setAwaiting({ version: saved.version ?? 0, errors: saved.errors_calculating, since: Date.now() });
      }}
    />
  );
}

function CohortForm({ cohort, calculating, onSaved }: { cohort: Cohort | null; calculating: boolean; onSaved: (c: Cohort, recalculates: boolean) => void }) {
  const { project, base } = useProject();
  const navigate = useNavigate();
  const [name, setName] = useState(cohort?.name ?? '');
  const [description, setDescription] = useState(cohort?.description ?? '');
  const [isStatic, setIsStatic] = useState(cohort?.is_static ?? false);
  const [definedBy, setDefinedBy] = useState<'criteria' | 'query'>(cohort?.query ? 'query' : 'criteria');
  // A query cohort gets a fresh definition in case it is switched to criteria.
  const [definition, setDefinition] = useState<CohortDefinition | null>(() => (cohort?.filters ? definitionFromFilters(cohort.filters) : newDefinition()));
  const [queryText, setQueryText] = useState(cohort?.query?.query ?? '');
  const [csv, setCsv] = useState<File | null>(null);
  const [fileKey, setFileKey] = useState(0);
  const [status, setStatus] = useState<{ kind: 'idle' | 'busy' | 'saved' } | { kind: 'error'; message: string }>({ kind: 'idle' });
  const [deleting, setDeleting] = useState(false);
  const others = useApi<Paginated<Option>>(`/api/projects/${project.id}/cohorts/?limit=1000`);
  const actions = useApi<Paginated<Option & { deleted?: boolean }>>(`/api/projects/${project.id}/actions/?limit=1000`);
  const choices: Choices = {
    cohorts: others.status === 'ready' ? others.data.results.filter((c) => c.id !== cohort?.id) : others.status,
    actions: actions.status === 'ready' ? actions.data.results.filter((a) => !a.deleted) : actions.status,
  };
  const listError = others.status === 'error' ? others.error : actions.status === 'error' ? actions.error : null;

  /** The body's definition: the query, or the criteria (with the other one cleared when the cohort switches). */
  function definitionBody(): Record<string, unknown> {
    if (definedBy === 'query') {
      if (!queryText.trim()) throw new Error('Type the HogQL query that selects the persons.');
      return { query: { ...(cohort?.query ?? {}), kind: 'HogQLQuery', query: queryText }, ...(cohort?.filters ? { filters: null } : {}) };
    }
    if (!definition) return {};
    const filters: CohortFilters = filtersFromDefinition(definition);
    // A definition with no criteria matches every person: refused when typed here, kept when it was stored so.
    const changed = !cohort || JSON.stringify(filters) !== JSON.stringify(cohort.filters);
    if (changed && countCriteria(definition.root) === 0) throw new Error('Add at least one criterion.');
    return { filters, ...(cohort?.query ? { query: null } : {}) };
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setStatus({ kind: 'busy' });
    try {
      let saved: Cohort;
      if (isStatic) {
        if (!cohort && !csv) throw new Error('Choose a CSV file of distinct IDs (or emails, or person UUIDs) for a static cohort.');
        const fields: Record<string, string> = { name, description };
        if (!cohort) fields.is_static = 'true';
        saved = await sendCohortForm(cohort ? 'PATCH' : 'POST', `/api/projects/${project.id}/cohorts/${cohort ? `${cohort.id}/` : ''}`, fields, csv);
        setCsv(null);
        setFileKey((k) => k + 1);
      } else {
        const body: Record<string, unknown> = { name, description, ...definitionBody() };
        saved = cohort ? await api.patch<Cohort>(`/api/projects/${project.id}/cohorts/${cohort.id}/`, body) : await api.post<Cohort>(`/api/projects/${project.id}/cohorts/`, body);
      }
      setStatus({ kind: 'saved' });
      if (!cohort) navigate(`${base}/cohorts/${saved.id}`, { replace: true });
      else onSaved(saved, !isStatic && (definedBy === 'query' || definition !== null));
    } catch (err) {
      setStatus({ kind: 'error', message: errorMessage(err) });
    }
  }

  async function remove() {
    if (!cohort) return;
    try {
      await api.patch(`/api/projects/${project.id}/cohorts/${cohort.id}/`, { deleted: true });
      navigate(`${base}/cohorts`);
    } catch (err) {
      setDeleting(false);
      setStatus({ kind: 'error', message: errorMessage(err) });
    }
  }

  return (
    <>
      <p className="breadcrumb">
        <Link to={`${base}/cohorts`}>Cohorts</Link> /
      </p>
      <div className="page-header">
        <h1>{cohort ? cohort.name || `Cohort ${cohort.id}` : 'New cohort'}</h1>
        {cohort && (
          <button type="button" className="button button-danger" onClick={() => setDeleting(true)}>
            Delete cohort
          </button>
        )}
      </div>
      {cohort && (
        <p className="cohort-summary">
          {calculating ? (
            <span className="calculating">
              <span className="spinner" aria-hidden="true" /> Calculating…
            </span>
          ) : (
            <>
              <strong>
                <CohortCount cohort={cohort} />
              </strong>{' '}
              persons
            </>
          )}
          {cohort.last_calculation && (
            <span className="muted">
              {' '}
              · calculated{' '}
              <time dateTime={cohort.last_calculation} title={formatDateTime(cohort.last_calculation, project.timezone)}>
                {timeAgo(cohort.last_calculation)}
              </time>
            </span>
          )}
        </p>
      )}
      {cohort?.last_error_message && (
        <p className="state state-error" role="alert">
          The last calculation failed: {cohort.last_error_message}
        </p>
      )}
      <form className="card" onSubmit={(e) => void submit(e)}>
        <div className="field">
          <label htmlFor="cohort-name">Name</label>
          <input id="cohort-name" className="input" required maxLength={400} value={name} onChange={(e) => setName(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="cohort-description">Description</label>
          <input id="cohort-description" className="input" value={description} onChange={(e) => setDescription(e.target.value)} />
        </div>
        <fieldset className="field">
          <legend>Type</legend>
          <label className="check">
            <input type="radio" name="cohort-type" checked={!isStatic} disabled={cohort !== null} onChange={() => setIsStatic(false)} /> Dynamic: persons who match a definition,
            recalculated
          </label>
          <label className="check">
            <input type="radio" name="cohort-type" checked={isStatic} disabled={cohort !== null} onChange={() => setIsStatic(true)} /> Static: a fixed list, uploaded as CSV
          </label>
          {cohort && <p className="hint">The type cannot change after creation.</p>}
        </fieldset>
        {isStatic ? (
          <div className="field">
            <label htmlFor="cohort-csv">{cohort ? 'Add persons from a CSV file' : 'CSV file'}</label>
            <input key={fileKey} id="cohort-csv" className="input" type="file" accept=".csv,text/csv" onChange={(e) => setCsv(e.target.files?.[0] ?? null)} />
            <p className="hint">
              One person per row: a distinct ID in the first column, or a header naming a <code>distinct_id</code>, <code>email</code> or <code>person_id</code> column.
            </p>
          </div>
        ) : (
          <>
            <fieldset className="field">
              <legend>Defined by</legend>
              <label className="check">
                <input type="radio" name="cohort-definition" checked={definedBy === 'criteria'} onChange={() => setDefinedBy('criteria')} /> Criteria: what persons did and who they are
              </label>
              <label className="check">
                <input type="radio" name="cohort-definition" checked={definedBy === 'query'} onChange={() => setDefinedBy('query')} /> HogQL query: a SELECT of person IDs
              </label>
            </fieldset>
            {definedBy === 'query' ? (
              <CohortQueryField value={queryText} onChange={setQueryText} />
            ) : definition ? (
              <>
                {listError && (
                  <p className="state state-error" role="alert">
                    Could not load the cohorts and actions to choose from: {errorMessage(listError)}
                  </p>
                )}
                <CohortCriteriaEditor value={definition} onChange={setDefinition} choices={choices} />
              </>
            ) : (
              <div className="warning">
                <p>This definition has criteria of a kind the server does not calculate, so it is shown read-only (name and description can still be saved):</p>
                <pre className="event-properties">{JSON.stringify(cohort?.filters, null, 2)}</pre>
              </div>
            )}
          </>
        )}
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={status.kind === 'busy'}>
            {cohort ? 'Save cohort' : 'Create cohort'}
          </button>
          <span role="status">{status.kind === 'saved' ? <span className="saved-text">Saved.</span> : status.kind === 'busy' ? 'Saving…' : ''}</span>
        </div>
        {status.kind === 'error' && (
          <p className="error-text" role="alert">
            {status.message}
          </p>
        )}
      </form>
      {cohort && !calculating && <CohortMembers cohortId={cohort.id} version={cohort.version} />}
      {cohort && calculating && <Loading label="Calculating who is in this cohort…" />}
      {deleting && cohort && (
        <ConfirmDialog title={`Delete “${cohort.name || `Cohort ${cohort.id}`}”?`} confirmLabel="Delete cohort" onConfirm={() => void remove()} onCancel={() => setDeleting(false)}>
          <p>Insights and feature flags that filter on this cohort stop working until they are changed.</p>
        </ConfirmDialog>
      )}
    </>
  );
}
