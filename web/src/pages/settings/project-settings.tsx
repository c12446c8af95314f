import { useEffect, useMemo, useState, type FormEvent, type ReactNode } from 'react';
import { useLocation } from 'react-router';
import { api, errorMessage } from '../../api.js';
import { CopyField } from '../../components/copy-button.js';
import { filtersFromRows, PropertyFiltersEditor, rowsFromFilters, type FilterRow } from '../../components/property-filters-editor.js';
import { apiHost, SdkSnippets } from '../../components/sdk-snippets.js';
import { ErrorState, Loading } from '../../components/states.js';
import { usePageTitle, useProject } from '../../project.js';
import { useSession } from '../../session.js';
import type { Project } from '../../types.js';
import { useApi } from '../../use-api.js';

type Save = (changes: Partial<Project>) => Promise<void>;

export default function ProjectSettings() {
  const { project: basic } = useProject();
  usePageTitle('Project settings', basic.name);
  const { reload: reloadSession } = useSession();
  const project = useApi<Project>(`/api/projects/${basic.id}/`);
  const location = useLocation();

  // Deep links (#date-and-time) scroll to their block once it is rendered.
  const ready = project.status === 'ready';
  useEffect(() => {
    if (ready && location.hash) document.getElementById(location.hash.slice(1))?.scrollIntoView();
  }, [ready, location.hash]);

  if (project.status === 'loading') return <Loading label="Loading project settings…" />;
  if (project.status === 'error') return <ErrorState error={project.error} retry={project.reload} />;

  const save: Save = async (changes) => {
    const updated = await api.patch<Project>(`/api/projects/${basic.id}/`, changes);
    project.setData(updated);
    if (changes.name !== undefined) await reloadSession(); // the switcher shows the new name
  };
  const p = project.data;

  return (
    <>
      <Block id="general" title="General">
        <NameForm project={p} save={save} />
        <CopyField id="project-id" label="Project ID" value={String(p.id)} />
        <CopyField id="project-api-key" label="Project API key" value={p.api_token} />
        <p className="hint">Write-only: SDKs send events with it. It cannot read data, so it is safe in a web page.</p>
        <CopyField id="api-host" label="API host" value={apiHost()} />
      </Block>
      <Block id="snippet" title="Install an SDK" description="Paste this into your app to send events to this project.">
        <SdkSnippets token={p.api_token} />
      </Block>
      <Block id="date-and-time" title="Date & time" description="Insights bucket days and weeks in this timezone. Open insights may need a refresh after a change.">
        <DateTimeForm project={p} save={save} />
      </Block>
      <Block
        id="internal-user-filtering"
        title="Filter out internal and test users"
        description='Events matching any of these filters are left out of insights when "Filter out internal and test users" is on.'
      >
        <TestAccountFiltersForm project={p} save={save} />
      </Block>
    </>
  );
}

function Block({ id, title, description, children }: { id: string; title: string; description?: string; children: ReactNode }) {
  return (
    <section id={id} className="card block" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{title}</h2>
      {description && <p className="muted">{description}</p>}
      {children}
    </section>
  );
}

/** Submit handling shared by the forms: busy state, "Saved." in a live region, the server's error in an alert. */
function useSaveForm(run: () => Promise<void>) {
  const [status, setStatus] = useState<{ kind: 'idle' | 'busy' | 'saved' } | { kind: 'error'; message: string }>({ kind: 'idle' });
  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    setStatus({ kind: 'busy' });
    try {
      await run();
      setStatus({ kind: 'saved' });
    } catch (err) {
      setStatus({ kind: 'error', message: errorMessage(err) });
    }
  }
  const feedback = (
    <>
      <span role="status" className="saved-text">
        {status.kind === 'saved' ? 'Saved.' : ''}
      </span>
      {status.kind === 'error' && (
        <p role="alert" className="error-text">
          {status.message}
        </p>
      )}
    </>
  );
  return { onSubmit: (e: FormEvent) => void onSubmit(e), busy: status.kind === 'busy', feedback, touched };
  /** An edit after a save clears "Saved.", which would otherwise describe older values. */
  function touched(): void {
    if (status.kind === 'saved') setStatus({ kind: 'idle' });
  }
}

function NameForm({ project, save }: { project: Project; save: Save }) {
  const [name, setName] = useState(project.name);
  const form = useSaveForm(() => save({ name }));
  return (
    <form onSubmit={form.onSubmit} className="inline-form">
      <div className="field">
        <label htmlFor="project-name">Display name</label>
        <input id="project-name" className="input" required maxLength={200} value={name} onChange={(e) => {
            setName(e.target.value);
            form.touched();
          }} />
      </div>
      <button type="submit" className="button button-primary" disabled={form.busy || name.trim() === project.name}>
        Save name
      </button>
      {form.feedback}
    </form>
  );
}

function timeZones(): string[] {
  const zones = Intl.supportedValuesOf('timeZone');
  return zones.includes('UTC') ? zones : ['UTC', ...zones];
}

function DateTimeForm({ project, save }: { project: Project; save: Save }) {
  const zones = useMemo(timeZones, []);
  const [timezone, setTimezone] = useState(project.timezone);
  const [weekStart, setWeekStart] = useState<0 | 1>(project.week_start_day);
  const form = useSaveForm(() => save({ timezone, week_start_day: weekStart }));
  const unchanged = timezone === project.timezone && weekStart === project.week_start_day;
  return (
    <form onSubmit={form.onSubmit} className="inline-form">
      <div className="field">
        <label htmlFor="project-timezone">Timezone</label>
        <select id="project-timezone" className="input" value={timezone} onChange={(e) => {
            setTimezone(e.target.value);
            form.touched();
          }}>
          {!zones.includes(timezone) && <option value={timezone}>{timezone}</option>}
          {zones.map((zone) => (
            <option key={zone} value={zone}>
              {zone.replaceAll('_', ' ')}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="project-week-start">Week starts on</label>
        <select id="project-week-start" className="input" value={weekStart} onChange={(e) => {
            setWeekStart(Number(e.target.value) === 1 ? 1 : 0);
            form.touched();
          }}>
          <option value={0}>Sunday</option>
          <option value={1}>Monday</option>
        </select>
      </div>
      <button type="submit" className="button button-primary" disabled={form.busy || unchanged}>
        Save date & time
      </button>
      {form.feedback}
    </form>
  );
}

function TestAccountFiltersForm({ project, save }: { project: Project; save: Save }) {
  const [rows, setRows] = useState<FilterRow[]>(() => rowsFromFilters(project.test_account_filters));
  const form = useSaveForm(async () => {
    await save({ test_account_filters: filtersFromRows(rows) });
  });
  return (
    <form onSubmit={form.onSubmit}>
      {/* Test accounts are usually people: "email doesn't contain @mycompany.com". */}
      <PropertyFiltersEditor rows={rows} newRow={{ type: 'person', operator: 'not_icontains' }} onChange={(r) => {
          setRows(r);
          form.touched();
        }} />
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={form.busy}>
          Save filters
        </button>
        {form.feedback}
      </div>
    </form>
  );
}
