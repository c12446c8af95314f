import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api, ApiError, errorMessage } from '../../api.js';
import { CopyButton } from '../../components/copy-button.js';
import { ConfirmDialog } from '../../components/dialog.js';
import { ErrorState, Loading } from '../../components/states.js';
import { usePageTitle, useProject } from '../../project.js';
import type { Paginated } from '../../types.js';
import { useApi } from '../../use-api.js';
import { ReleaseConditions, type CohortChoice } from './flag-conditions.js';
import { bodyFromDraft, draftFromFlag, newDraft, payloadErrors, type FeatureFlag, type FlagDraft, type GroupType } from './flag-model.js';
import { FlagTester } from './flag-tester.js';
import { VariantsTable } from './flag-variants.js';

/** `/feature_flags/new` and `/feature_flags/:id`. */
export default function FlagEditor() {
  const { project, base } = useProject();
  const { flagId = 'new' } = useParams();
  const isNew = flagId === 'new';
  const flag = useApi<FeatureFlag | null>(isNew ? 'flag:new' : `/api/projects/${project.id}/feature_flags/${flagId}/`, isNew ? async () => null : undefined);
  usePageTitle(isNew ? 'New feature flag' : flag.status === 'ready' && flag.data ? flag.data.key : 'Feature flag', project.name);

  if (flag.status === 'loading') return <Loading label="Loading feature flag…" />;
  if (flag.status === 'error') {
    const missing = flag.error instanceof ApiError && flag.error.status === 404;
    return (
      <>
        <ErrorState title={missing ? 'Feature flag not found' : 'Could not load this flag'} error={flag.error} retry={missing ? undefined : flag.reload} />
        <p>
          <Link to={`${base}/feature_flags`}>All feature flags</Link>
        </p>
      </>
    );
  }
  return <FlagForm key={flag.data ? `${flag.data.id}` : 'new'} flag={flag.data} onSaved={flag.setData} />;
}

function FlagForm({ flag, onSaved }: { flag: FeatureFlag | null; onSaved: (f: FeatureFlag) => void }) {
  const { project, base } = useProject();
  const navigate = useNavigate();
  const [draft, setDraft] = useState<FlagDraft>(() => (flag ? draftFromFlag(flag) : newDraft()));
  const [status, setStatus] = useState<{ kind: 'idle' | 'busy' | 'saved' } | { kind: 'error'; message: string }>({ kind: 'idle' });
  const [deleting, setDeleting] = useState(false);
  const cohorts = useApi<Paginated<CohortChoice>>(`/api/projects/${project.id}/cohorts/?limit=1000`);
  const groupTypes = useApi<GroupType[]>(`/api/projects/${project.id}/groups_types/`);
  const types = groupTypes.status === 'ready' ? groupTypes.data : [];
  const groupType = draft.groupIndex === '' ? null : (types.find((t) => String(t.group_type_index) === draft.groupIndex) ?? null);
  const set = (change: Partial<FlagDraft>) => setDraft((d) => ({ ...d, ...change }));
  const jsonErrors = payloadErrors(draft);
  const locked = (flag?.experiment_set.length ?? 0) > 0;

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (jsonErrors.length) {
      setStatus({ kind: 'error', message: jsonErrors[0]! });
      return;
    }
    setStatus({ kind: 'busy' });
    try {
      const body = bodyFromDraft(draft);
      const saved = flag ? await api.patch<FeatureFlag>(`/api/projects/${project.id}/feature_flags/${flag.id}/`, body) : await api.post<FeatureFlag>(`/api/projects/${project.id}/feature_flags/`, body);
      setStatus({ kind: 'saved' });
      if (!flag) navigate(`${base}/feature_flags/${saved.id}`, { replace: true });
      else onSaved(saved);
    } catch (err) {
      setStatus({ kind: 'error', message: errorMessage(err) });
    }
  }

  async function remove() {
    if (!flag) return;
    try {
      await api.patch(`/api/projects/${project.id}/feature_flags/${flag.id}/`, { deleted: true });
      navigate(`${base}/feature_flags`);
    } catch (err) {
      setDeleting(false);
      setStatus({ kind: 'error', message: errorMessage(err) });
    }
  }

  const subject = groupType ? `${groupType.name_plural || groupType.group_type + 's'}` : 'users';

  return (
    <>
      <p className="breadcrumb">
        <Link to={`${base}/feature_flags`}>Feature flags</Link> /
      </p>
      <div className="page-header">
        <h1>
          {flag ? (
            <>
              <span className="mono">{flag.key}</span> <CopyButton value={flag.key} label="Copy flag key" />{' '}
              <span className={flag.active ? 'tag tag-on' : 'tag'}>{flag.active ? 'Enabled' : 'Disabled'}</span>
            </>
          ) : (
            'New feature flag'
          )}
        </h1>
        {flag && (
          <button type="button" className="button button-danger" onClick={() => setDeleting(true)}>
            Delete flag
          </button>
        )}
      </div>
      {flag && flag.experiment_set.length > 0 && (
        <p className="muted">
          Used by{' '}
          {flag.experiment_set.map((id, i) => (
            <span key={id}>
              {i > 0 && ', '}
              <Link to={`${base}/experiments/${id}`}>experiment {id}</Link>
            </span>
          ))}
          .
        </p>
      )}
      <form className="flag-form" onSubmit={(e) => void submit(e)}>
        <section className="card" aria-labelledby="flag-basics">
          <h2 id="flag-basics">Flag</h2>
          <div className="field">
            <label htmlFor="flag-key">Key</label>
            <input
              id="flag-key"
              className="input mono"
              required
              maxLength={400}
              pattern="[a-zA-Z0-9_\-]+"
              title="Only letters, numbers, hyphens (-) and underscores (_)"
              value={draft.key}
              onChange={(e) => set({ key: e.target.value })}
            />
            <p className="hint">What your code asks for, e.g. <code>posthog.isFeatureEnabled('{draft.key || 'new-checkout'}')</code>.</p>
          </div>
          <div className="field">
            <label htmlFor="flag-description">Description</label>
            <textarea id="flag-description" className="input" rows={2} value={draft.name} onChange={(e) => set({ name: e.target.value })} />
          </div>
          <label className="check">
            <input type="checkbox" checked={draft.active} onChange={(e) => set({ active: e.target.checked })} /> Enable feature flag
          </label>
          <label className="check">
            <input type="checkbox" checked={draft.continuity} onChange={(e) => set({ continuity: e.target.checked })} /> Persist flag across authentication steps
          </label>
          <p className="hint">Keeps the value a user got while anonymous after they log in and their distinct ID changes.</p>
          {types.length > 0 && (
            <div className="field">
              <label htmlFor="flag-aggregation">Match by</label>
              <select id="flag-aggregation" className="input" value={draft.groupIndex} onChange={(e) => set({ groupIndex: e.target.value, conditions: draft.conditions.map((c) => ({ ...c, rows: [] })) })}>
                <option value="">Users</option>
                {types.map((t) => (
                  <option key={t.group_type_index} value={String(t.group_type_index)}>
                    Groups: {t.group_type}
                  </option>
                ))}
              </select>
              <p className="hint">Changing this clears the filters, which are of persons or of groups.</p>
            </div>
          )}
        </section>

        <section className="card" aria-labelledby="flag-served">
          <h2 id="flag-served">Served value</h2>
          <fieldset className="field">
            <legend className="visually-hidden">Flag type</legend>
            <label className="check">
              <input type="radio" name="flag-type" checked={!draft.multivariate} disabled={locked} onChange={() => set({ multivariate: false })} /> Release toggle (boolean)
            </label>
            <label className="check">
              <input type="radio" name="flag-type" checked={draft.multivariate} disabled={locked} onChange={() => set({ multivariate: true })} /> Multiple variants with rollout percentages (A/B/C test)
            </label>
          </fieldset>
          {draft.multivariate ? (
            <VariantsTable variants={draft.variants} locked={locked} onChange={(variants) => set({ variants })} />
          ) : (
            <div className="field">
              <label htmlFor="flag-payload">Payload when enabled (optional JSON)</label>
              <textarea id="flag-payload" className="input mono" rows={2} placeholder='e.g. {"limit": 10}' value={draft.booleanPayload} onChange={(e) => set({ booleanPayload: e.target.value })} />
            </div>
          )}
          {jsonErrors.map((e) => (
            <p key={e} className="error-text">
              {e}
            </p>
          ))}
        </section>

        <section className="card" aria-labelledby="flag-conditions">
          <h2 id="flag-conditions">Release conditions</h2>
          <p className="muted">A {groupType ? 'group' : 'user'} gets the flag when they match any condition set, then fall in its rollout percentage.</p>
          <ReleaseConditions
            conditions={draft.conditions}
            onChange={(conditions) => set({ conditions })}
            variantKeys={draft.multivariate ? draft.variants.map((v) => v.key).filter(Boolean) : []}
            cohorts={cohorts.status === 'ready' ? cohorts.data.results : []}
            subject={subject}
            projectId={project.id}
            groupIndex={draft.groupIndex === '' ? null : Number(draft.groupIndex)}
          />
        </section>

        <div className="form-actions sticky-actions">
          <button type="submit" className="button button-primary" disabled={status.kind === 'busy'}>
            {flag ? 'Save flag' : 'Create flag'}
          </button>
          {flag && (
            <button type="button" className="button" onClick={() => setDraft(draftFromFlag(flag))}>
              Discard changes
            </button>
          )}
          <span role="status">{status.kind === 'saved' ? <span className="saved-text">Saved.</span> : status.kind === 'busy' ? 'Saving…' : ''}</span>
        </div>
        {status.kind === 'error' && (
          <p className="error-text" role="alert">
            {status.message}
          </p>
        )}
      </form>
      {flag && <FlagTester flagKey={flag.key} groupType={flag.filters.aggregation_group_type_index === null || flag.filters.aggregation_group_type_index === undefined ? null : (types.find((t) => t.group_type_index === flag.filters.aggregation_group_type_index)?.group_type ?? null)} />}
      {deleting && flag && (
        <ConfirmDialog title={`Delete “${flag.key}”?`} confirmLabel="Delete flag" onConfirm={() => void remove()} onCancel={() => setDeleting(false)}>
          <p>SDKs stop receiving this flag at once: code that checks it gets “not enabled”.</p>
        </ConfirmDialog>
      )}
    </>
  );
}
