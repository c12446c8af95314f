import { Link, useParams, useSearchParams } from 'react-router';
import { api, ApiError } from '../../api.js';
import { CopyButton } from '../../components/copy-button.js';
import { EmptyState, ErrorState, Loading } from '../../components/states.js';
import { formatDateTime, formatNumber, timeAgo } from '../../format.js';
import { usePageTitle, useProject } from '../../project.js';
import { useApi } from '../../use-api.js';
import { personCohorts, type Membership } from './person-cohorts.js';
import { displayName, propertyText, type Person } from './person-types.js';

const TABS = [
  { id: 'properties', label: 'Properties' },
  { id: 'events', label: 'Events' },
  { id: 'cohorts', label: 'Cohorts' },
] as const;
type Tab = (typeof TABS)[number]['id'];

/** `/persons/:uuid?tab=…`: who this is (ids, first seen), their properties, recent events and cohorts. */
export default function PersonPage() {
  const { project, base } = useProject();
  const { uuid = '' } = useParams();
  const [params, setParams] = useSearchParams();
  const tab = (TABS.find((t) => t.id === params.get('tab'))?.id ?? 'properties') as Tab;
  const person = useApi<Person>(`/api/projects/${project.id}/persons/${encodeURIComponent(uuid)}/`);
  usePageTitle(person.status === 'ready' ? displayName(person.data) : 'Person', project.name);

  if (person.status === 'loading') return <Loading label="Loading person…" />;
  if (person.status === 'error') {
    const missing = person.error instanceof ApiError && person.error.status === 404;
    return (
      <>
        <ErrorState title={missing ? 'Person not found' : 'Could not load this person'} error={person.error} retry={missing ? undefined : person.reload} />
        <p>
          <Link to={`${base}/persons`}>All persons</Link>
        </p>
      </>
    );
  }
  const p = person.data;

  function selectTab(id: Tab) {
    const next = new URLSearchParams(params);
    next.set('tab', id);
    if (id !== 'properties') next.delete('q');
    setParams(next);
  }

  return (
    <>
      <p className="breadcrumb">
        <Link to={`${base}/persons`}>Persons</Link> /
      </p>
      <h1>{displayName(p)}</h1>
      <dl className="facts">
        <div>
          <dt>Distinct IDs</dt>
          <dd>
            <ul className="id-list">
              {p.distinct_ids.map((id) => (
                <li key={id}>
                  <code>{id}</code> <CopyButton value={id} label={`Copy distinct ID ${id}`} />
                </li>
              ))}
            </ul>
          </dd>
        </div>
        <div>
          <dt>UUID</dt>
          <dd>
            <code>{p.uuid}</code>
          </dd>
        </div>
        <div>
          <dt>First seen</dt>
          <dd>
            <time dateTime={p.created_at} title={formatDateTime(p.created_at, project.timezone)}>
              {timeAgo(p.created_at)}
            </time>
          </dd>
        </div>
      </dl>
      <div className="tabs" role="tablist" aria-label="Person details">
        {TABS.map((t) => (
          <button key={t.id} type="button" role="tab" id={`person-tab-${t.id}`} aria-controls="person-panel" aria-selected={tab === t.id} className="tab" onClick={() => selectTab(t.id)}>
            {t.label}
          </button>
        ))}
      </div>
      <div id="person-panel" role="tabpanel" aria-labelledby={`person-tab-${tab}`}>
        {tab === 'properties' && <PropertiesTable properties={p.properties} />}
        {tab === 'events' && <PersonEvents person={p} />}
        {tab === 'cohorts' && <PersonCohorts person={p} />}
      </div>
    </>
  );
}

function PropertiesTable({ properties }: { properties: Record<string, unknown> }) {
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const needle = q.toLowerCase();
  const rows = Object.entries(properties)
    .filter(([k, v]) => !needle || k.toLowerCase().includes(needle) || propertyText(v).toLowerCase().includes(needle))
    .sort(([a], [b]) => a.localeCompare(b));

  return (
    <>
      <div className="field">
        <label htmlFor="person-properties-search">Search properties</label>
        <input
          id="person-properties-search"
          className="input"
          type="search"
          value={q}
          placeholder="Key or value"
          onChange={(e) => {
            const next = new URLSearchParams(params);
            if (e.target.value) next.set('q', e.target.value);
            else next.delete('q');
            setParams(next, { replace: true });
          }}
        />
      </div>
      {Object.keys(properties).length === 0 ? (
        <EmptyState title="No properties">
          <p>
            Set them with <code>$set</code> in an event or <code>identify()</code> in an SDK.
          </p>
        </EmptyState>
      ) : rows.length === 0 ? (
        <p className="muted">No property matches “{q}”.</p>
      ) : (
        <table className="table properties-table">
          <caption className="visually-hidden">Person properties</caption>
          <thead>
            <tr>
              <th scope="col">Property</th>
              <th scope="col">Value</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(([key, value]) => (
              <tr key={key}>
                <th scope="row" className="mono">
                  {key}
                </th>
                <td className={typeof value === 'string' ? '' : 'mono'}>{propertyText(value)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

interface EventRow {
  uuid: string;
  event: string;
  distinct_id: string;
  timestamp: string;
  properties: Record<string, unknown>;
}

const EVENTS_LIMIT = 100;

/** The person's latest events, through PostHog's EventsQuery with `personId` (all their distinct ids, merges included). */
function PersonEvents({ person }: { person: Person }) {
  const { project } = useProject();
  const events = useApi<EventRow[]>(`person-events:${project.id}:${person.uuid}`, async () => {
    const res = await api.post<{ results: [EventRow][] }>(`/api/projects/${project.id}/query/`, {
      query: { kind: 'EventsQuery', select: ['*'], personId: person.uuid, after: 'all', limit: EVENTS_LIMIT },
    });
    return res.results.map((r) => r[0]);
  });
  if (events.status === 'loading') return <Loading label="Loading events…" />;
  if (events.status === 'error') return <ErrorState error={events.error} retry={events.reload} />;
  if (events.data.length === 0) return <EmptyState title="No events for this person" />;
  return (
    <>
      <p className="muted">
        The latest {formatNumber(events.data.length)} event{events.data.length === 1 ? '' : 's'}
        {events.data.length === EVENTS_LIMIT ? ` (older ones are not shown)` : ''}. Open one to see its properties.
      </p>
      <table className="table">
        <caption className="visually-hidden">Events of this person, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Event</th>
            <th scope="col">Distinct ID</th>
            <th scope="col">URL / Screen</th>
            <th scope="col">Time</th>
          </tr>
        </thead>
        <tbody>
          {events.data.map((e) => {
            const iso = e.timestamp.replace(' ', 'T');
            const where = e.properties.$current_url ?? e.properties.$screen_name;
            return (
              <tr key={e.uuid}>
                <td>
                  <details>
                    <summary className="mono">{e.event}</summary>
                    <pre className="event-properties">{JSON.stringify(e.properties, null, 2)}</pre>
                  </details>
                </td>
                <td className="mono">{e.distinct_id}</td>
                <td className="truncate">{where === undefined ? '—' : propertyText(where)}</td>
                <td>
                  <time dateTime={iso} title={formatDateTime(iso, project.timezone)}>
                    {timeAgo(iso)}
                  </time>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </>
  );
}

function PersonCohorts({ person }: { person: Person }) {
  const { project, base } = useProject();
  const cohorts = useApi<Membership[]>(`person-cohorts:${project.id}:${person.uuid}`, (signal) => personCohorts(project.id, person.uuid, signal));
  if (cohorts.status === 'loading') return <Loading label="Checking cohorts…" />;
  if (cohorts.status === 'error') return <ErrorState error={cohorts.error} retry={cohorts.reload} />;
  const member = cohorts.data.filter((c) => c.member === true);
  const unknown = cohorts.data.filter((c) => c.member === null);
  return (
    <>
      {member.length === 0 ? (
        <EmptyState title="Not in any cohort">
          <p>{cohorts.data.length === 0 ? 'This project has no cohorts yet.' : `Checked against ${cohorts.data.length} cohort${cohorts.data.length === 1 ? '' : 's'}.`}</p>
        </EmptyState>
      ) : (
        <ul className="link-list" aria-label="Cohorts this person is in">
          {member.map((c) => (
            <li key={c.id}>
              <Link to={`${base}/cohorts/${c.id}`}>{c.name || `Cohort ${c.id}`}</Link> <span className="muted">{c.is_static ? 'static' : 'dynamic'}</span>
            </li>
          ))}
        </ul>
      )}
      {unknown.length > 0 && (
        <p className="hint">
          Not yet calculated, so not checked: {unknown.map((c) => c.name || `Cohort ${c.id}`).join(', ')}.
        </p>
      )}
    </>
  );
}
