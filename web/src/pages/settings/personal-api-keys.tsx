import { useState, type FormEvent } from 'react';
import { api, errorMessage } from '../../api.js';
import { CopyButton } from '../../components/copy-button.js';
import { ConfirmDialog, Dialog, FormDialogActions } from '../../components/dialog.js';
import { EmptyState, ErrorState, Loading } from '../../components/states.js';
import { formatDateTime, timeAgo } from '../../format.js';
import { usePageTitle, useProject } from '../../project.js';
import { useMe } from '../../session.js';
import type { PersonalApiKey, TeamBasic } from '../../types.js';
import { useApi } from '../../use-api.js';

/** The objects whose scopes Hedgerow checks, with PostHog's names; some can only be read. */
const OBJECTS: Array<{ key: string; label: string; readOnly?: boolean }> = [
  { key: 'action', label: 'Action' },
  { key: 'cohort', label: 'Cohort' },
  { key: 'dashboard', label: 'Dashboard' },
  { key: 'event', label: 'Event', readOnly: true },
  { key: 'event_definition', label: 'Event definition' },
  { key: 'experiment', label: 'Experiment' },
  { key: 'feature_flag', label: 'Feature flag' },
  { key: 'group', label: 'Group' },
  { key: 'insight', label: 'Insight' },
  { key: 'person', label: 'Person' },
  { key: 'personal_api_key', label: 'Personal API key' },
  { key: 'project', label: 'Project' },
  { key: 'property_definition', label: 'Property definition' },
  { key: 'query', label: 'Query', readOnly: true },
  { key: 'user', label: 'User' },
];

/** PostHog's presets for the common jobs of a key. */
const PRESETS: Array<{ id: string; label: string; scopes: string[] }> = [
  { id: 'all', label: 'All access', scopes: ['*'] },
  { id: 'local-evaluation', label: 'Local feature flag evaluation', scopes: ['feature_flag:read'] },
  { id: 'analytics', label: 'Performing analytics queries', scopes: ['query:read'] },
];

type Level = 'none' | 'read' | 'write';

function levelsFromScopes(scopes: string[]): Record<string, Level> {
  const levels: Record<string, Level> = {};
  for (const scope of scopes) {
    const [object, action] = scope.split(':');
    if (object && (action === 'read' || action === 'write')) levels[object] = action;
  }
  return levels;
}

function scopesFromLevels(levels: Record<string, Level>): string[] {
  return OBJECTS.flatMap((o) => (levels[o.key] && levels[o.key] !== 'none' ? [`${o.key}:${levels[o.key]}`] : []));
}

export function describeScopes(scopes: string[]): string {
  if (scopes.includes('*')) return 'All access';
  const preset = PRESETS.find((p) => p.scopes.length === scopes.length && p.scopes.every((s) => scopes.includes(s)));
  return preset ? preset.label : scopes.join(', ');
}

export default function PersonalApiKeys() {
  const { project } = useProject();
  usePageTitle('Personal API keys', project.name);
  const me = useMe();
  const keys = useApi<PersonalApiKey[]>('/api/personal_api_keys/');
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<PersonalApiKey | null>(null);

  return (
    <section className="card block" aria-labelledby="keys-title">
      <div className="page-header">
        <h2 id="keys-title">Personal API keys</h2>
        <button type="button" className="button button-primary" onClick={() => setCreating(true)}>
          Create personal API key
        </button>
      </div>
      <p className="muted">
        Keys let scripts and servers use the API as you (<code>Authorization: Bearer phx_…</code>). Give each key only the access its job needs.
      </p>
      {keys.status === 'loading' && <Loading label="Loading keys…" />}
      {keys.status === 'error' && <ErrorState error={keys.error} retry={keys.reload} />}
      {keys.status === 'ready' && keys.data.length === 0 && (
        <EmptyState title="No personal API keys yet">
          <p>Create one to read events, run queries or evaluate feature flags locally from your own code.</p>
        </EmptyState>
      )}
      {keys.status === 'ready' && keys.data.length > 0 && (
        <table className="table">
          <caption className="visually-hidden">Your personal API keys</caption>
          <thead>
            <tr>
              <th scope="col">Label</th>
              <th scope="col">Key</th>
              <th scope="col">Access</th>
              <th scope="col">Projects</th>
              <th scope="col">Created</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {keys.data.map((key) => (
              <tr key={key.id}>
                <th scope="row">{key.label}</th>
                <td>
                  <code>{key.mask_value}</code>
                </td>
                <td>{describeScopes(key.scopes)}</td>
                <td>{key.scoped_teams ? key.scoped_teams.map((id) => me.organization.teams.find((t) => t.id === id)?.name ?? `#${id}`).join(', ') : 'All'}</td>
                <td>
                  <time dateTime={key.created_at} title={formatDateTime(key.created_at, project.timezone)}>
                    {timeAgo(key.created_at)}
                  </time>
                </td>
                <td>
                  <button type="button" className="button button-small button-danger" onClick={() => setRevoking(key)} aria-label={`Revoke ${key.label}`}>
                    Revoke
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {creating && (
        <CreateKeyDialog
          teams={me.organization.teams}
          onClose={() => {
            setCreating(false);
            keys.reload();
          }}
        />
      )}
      {revoking && <RevokeDialog apiKey={revoking} onDone={() => {
            setRevoking(null);
            keys.reload();
          }} onCancel={() => setRevoking(null)} />}
    </section>
  );
}

function CreateKeyDialog({ teams, onClose }: { teams: TeamBasic[]; onClose: () => void }) {
  const [label, setLabel] = useState('');
  const [preset, setPreset] = useState('');
  const [levels, setLevels] = useState<Record<string, Level>>({});
  const [allProjects, setAllProjects] = useState(true);
  const [projects, setProjects] = useState<number[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<PersonalApiKey | null>(null);

  const allAccess = preset === 'all';
  const scopes = allAccess ? ['*'] : scopesFromLevels(levels);

  function choosePreset(id: string) {
    setPreset(id);
    const chosen = PRESETS.find((p) => p.id === id);
    if (chosen && id !== 'all') setLevels(levelsFromScopes(chosen.scopes));
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (scopes.length === 0) return setError('Choose a preset or give the key access to at least one object.');
    if (!allProjects && projects.length === 0) return setError('Choose at least one project, or allow all projects.');
    setBusy(true);
    setError(null);
    try {
      setCreated(await api.post<PersonalApiKey>('/api/personal_api_keys/', { label, scopes, scoped_teams: allProjects ? null : projects }));
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  if (created?.value) {
    return (
      <Dialog title="Your new personal API key" onClose={onClose}>
        <p className="warning" role="alert">
          Copy this key now: it is shown only once. Hedgerow keeps only a hash of it.
        </p>
        <div className="field">
          <label htmlFor="new-key-value">{created.label}</label>
          <div className="copy-field">
            <input id="new-key-value" className="input mono" readOnly value={created.value} onFocus={(e) => e.currentTarget.select()} />
            <CopyButton value={created.value} label="Copy the new key" />
          </div>
        </div>
        <div className="dialog-actions">
          <button type="button" className="button button-primary" onClick={onClose} autoFocus>
            Done
          </button>
        </div>
      </Dialog>
    );
  }

  return (
    <Dialog title="Create personal API key" onClose={onClose} wide>
      <form onSubmit={(e) => void submit(e)}>
        <div className="field">
          <label htmlFor="key-label">Label</label>
          <input id="key-label" className="input" required maxLength={100} placeholder="e.g. Nightly export" value={label} onChange={(e) => setLabel(e.target.value)} autoFocus />
        </div>
        <div className="field">
          <label htmlFor="key-preset">Scopes</label>
          <select id="key-preset" className="input" value={preset} onChange={(e) => choosePreset(e.target.value)}>
            <option value="">Custom (choose below)</option>
            {PRESETS.map((p) => (
              <option key={p.id} value={p.id}>
                {p.label}
              </option>
            ))}
          </select>
        </div>
        {allAccess ? (
          <p className="hint">This key can read and change everything you can.</p>
        ) : (
          <table className="table scope-grid">
            <caption className="visually-hidden">Access per object</caption>
            <thead>
              <tr>
                <th scope="col">Object</th>
                <th scope="col">No access</th>
                <th scope="col">Read</th>
                <th scope="col">Write</th>
              </tr>
            </thead>
            <tbody>
              {OBJECTS.map((object) => (
                <tr key={object.key}>
                  <th scope="row">{object.label}</th>
                  {(['none', 'read', 'write'] as const).map((level) => (
                    <td key={level}>
                      {level === 'write' && object.readOnly ? null : (
                        <input
                          type="radio"
                          name={`scope-${object.key}`}
                          aria-label={`${object.label}: ${level === 'none' ? 'no access' : level}`}
                          checked={(levels[object.key] ?? 'none') === level}
                          onChange={() => {
                            setLevels({ ...levels, [object.key]: level });
                            setPreset('');
                          }}
                        />
                      )}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <fieldset className="field">
          <legend>Projects</legend>
          <label className="check">
            <input type="radio" name="key-projects" checked={allProjects} onChange={() => setAllProjects(true)} /> All projects of the organization
          </label>
          <label className="check">
            <input type="radio" name="key-projects" checked={!allProjects} onChange={() => setAllProjects(false)} /> Only these projects:
          </label>
          {!allProjects && (
            <div className="indent">
              {teams.map((team) => (
                <label key={team.id} className="check">
                  <input
                    type="checkbox"
                    checked={projects.includes(team.id)}
                    onChange={(e) => setProjects(e.target.checked ? [...projects, team.id] : projects.filter((id) => id !== team.id))}
                  />{' '}
                  {team.name}
                </label>
              ))}
            </div>
          )}
        </fieldset>
        <FormDialogActions error={error} busy={busy} submitLabel="Create key" onCancel={onClose} />
      </form>
    </Dialog>
  );
}

function RevokeDialog({ apiKey, onDone, onCancel }: { apiKey: PersonalApiKey; onDone: () => void; onCancel: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function revoke() {
    setBusy(true);
    try {
      await api.delete(`/api/personal_api_keys/${apiKey.id}/`);
      onDone();
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  }

  return (
    <ConfirmDialog title={`Revoke “${apiKey.label}”?`} confirmLabel="Revoke key" onConfirm={() => void revoke()} onCancel={onCancel} busy={busy}>
      <p>Anything using this key stops working at once. This cannot be undone.</p>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
    </ConfirmDialog>
  );
}
