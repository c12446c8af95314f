import { useRef, useState, type KeyboardEvent } from 'react';
import { Link } from 'react-router';
import { CopyButton } from '../../components/copy-button.js';
import { parseElementsChain } from './elements-chain.js';
import { formatEventTime, utcLabel } from './event-time.js';
import type { EventRow } from './use-event-stream.js';

type Tab = 'properties' | 'person' | 'elements' | 'raw';

/** Custom properties first, then PostHog's own `$…` ones, each alphabetical. */
function orderedEntries(properties: Record<string, unknown>): Array<[string, unknown]> {
  return Object.entries(properties).sort(([a], [b]) => {
    const sa = a.startsWith('$');
    const sb = b.startsWith('$');
    return sa === sb ? a.localeCompare(b) : sa ? 1 : -1;
  });
}

function Value({ value }: { value: unknown }) {
  if (value === null) return <span className="value-null">null</span>;
  if (typeof value === 'boolean') return <span className="value-bool">{String(value)}</span>;
  if (typeof value === 'number') return <span className="value-number">{value}</span>;
  if (typeof value === 'object') return <code className="value-json">{JSON.stringify(value)}</code>;
  return <span className="value-string">{String(value)}</span>;
}

/** A searchable key/value table; the search matches keys and values. */
function PropertiesTable({ properties, label, idPrefix }: { properties: Record<string, unknown>; label: string; idPrefix: string }) {
  const [search, setSearch] = useState('');
  const needle = search.trim().toLowerCase();
  const entries = orderedEntries(properties).filter(
    ([key, value]) => !needle || key.toLowerCase().includes(needle) || (typeof value === 'object' ? JSON.stringify(value) : String(value)).toLowerCase().includes(needle),
  );
  const total = Object.keys(properties).length;
  return (
    <div className="kv">
      <div className="kv-search">
        <label htmlFor={`${idPrefix}-search`} className="visually-hidden">
          Search {label.toLowerCase()}
        </label>
        <input id={`${idPrefix}-search`} className="input" type="search" placeholder={`Search ${total} ${label.toLowerCase()}`} value={search} onChange={(e) => setSearch(e.target.value)} />
        <span className="muted" role="status">
          {needle ? `${entries.length} of ${total}` : `${total}`}
        </span>
      </div>
      {entries.length === 0 ? (
        <p className="muted">{total === 0 ? `No ${label.toLowerCase()}.` : 'Nothing matches.'}</p>
      ) : (
        <table className="table kv-table">
          <caption className="visually-hidden">{label}</caption>
          <thead>
            <tr>
              <th scope="col">Property</th>
              <th scope="col">Value</th>
            </tr>
          </thead>
          <tbody>
            {entries.map(([key, value]) => (
              <tr key={key}>
                <th scope="row" className="mono">
                  {key}
                </th>
                <td>
                  <Value value={value} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

/** The expanded row: metadata, then tabs for properties, the person, the autocapture elements, raw JSON. */
export function EventDetail({ event, base, timeZone }: { event: EventRow; base: string; timeZone: string }) {
  const elements = parseElementsChain(event.elements_chain);
  const tabs: Array<{ id: Tab; label: string }> = [
    { id: 'properties', label: 'Properties' },
    { id: 'person', label: 'Person' },
    ...(elements.length ? [{ id: 'elements' as const, label: 'Elements' }] : []),
    { id: 'raw', label: 'Raw JSON' },
  ];
  const [tab, setTab] = useState<Tab>('properties');
  const buttons = useRef<Array<HTMLButtonElement | null>>([]);
  const prefix = `event-${event.id}`;
  const raw = JSON.stringify(event, null, 2);

  function select(index: number) {
    const next = tabs[(index + tabs.length) % tabs.length]!;
    setTab(next.id);
    buttons.current[tabs.indexOf(next)]?.focus();
  }

  function onKeyDown(e: KeyboardEvent, index: number) {
    if (e.key === 'ArrowRight') select(index + 1);
    else if (e.key === 'ArrowLeft') select(index - 1);
    else if (e.key === 'Home') select(0);
    else if (e.key === 'End') select(tabs.length - 1);
    else return;
    e.preventDefault();
  }

  return (
    <div className="event-detail">
      <dl className="event-meta">
        <div>
          <dt>Event</dt>
          <dd className="mono">{event.event}</dd>
        </div>
        <div>
          <dt>Distinct ID</dt>
          <dd className="mono">{event.distinct_id}</dd>
        </div>
        <div>
          <dt>Time</dt>
          <dd>
            {formatEventTime(event.timestamp, timeZone)} ({timeZone}) · {utcLabel(event.timestamp)}
          </dd>
        </div>
        <div>
          <dt>UUID</dt>
          <dd className="mono">{event.id}</dd>
        </div>
      </dl>
      <div role="tablist" aria-label="Event details" className="tabs">
        {tabs.map((t, index) => (
          <button
            key={t.id}
            ref={(el) => {
              buttons.current[index] = el;
            }}
            type="button"
            role="tab"
            id={`${prefix}-tab-${t.id}`}
            aria-selected={tab === t.id}
            aria-controls={`${prefix}-panel`}
            tabIndex={tab === t.id ? 0 : -1}
            className="tab"
            onClick={() => setTab(t.id)}
            onKeyDown={(e) => onKeyDown(e, index)}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`${prefix}-panel`} aria-labelledby={`${prefix}-tab-${tab}`}>
        {tab === 'properties' && <PropertiesTable properties={event.properties} label="Event properties" idPrefix={`${prefix}-props`} />}
        {tab === 'person' &&
          (event.person ? (
            <>
              <p>
                <Link to={`${base}/persons/${event.person.id}`}>{event.person.name}</Link>{' '}
                <span className="muted">
                  {event.person.distinct_ids.length === 1 ? 'distinct ID' : 'distinct IDs'}: <span className="mono">{event.person.distinct_ids.join(', ')}</span>
                </span>
              </p>
              <PropertiesTable properties={event.person.properties} label="Person properties" idPrefix={`${prefix}-person`} />
            </>
          ) : (
            <p className="muted">This event has no person profile (it was captured without one, e.g. with person_profiles: 'identified_only' before identify).</p>
          ))}
        {tab === 'elements' && (
          <ol className="elements-chain" aria-label="Clicked element first, then its ancestors">
            {elements.map((el, i) => (
              <li key={i}>
                <code>
                  &lt;{el.tag || '?'}
                  {el.classes.length > 0 && ` class="${el.classes.join(' ')}"`}
                  {el.href !== null && ` href="${el.href}"`}&gt;
                </code>
                {el.text !== null && <span className="elements-text"> {el.text}</span>}
                {el.attributes.filter(([k]) => k !== 'text' && k !== 'href').length > 0 && (
                  <span className="muted mono elements-attrs">
                    {' '}
                    {el.attributes
                      .filter(([k]) => k !== 'text' && k !== 'href')
                      .map(([k, v]) => `${k}=${v}`)
                      .join(' ')}
                  </span>
                )}
              </li>
            ))}
          </ol>
        )}
        {tab === 'raw' && (
          <div className="code-block">
            <pre tabIndex={0} aria-label="Event as JSON">
              <code>{raw}</code>
            </pre>
            <CopyButton value={raw} label="Copy the event as JSON" />
          </div>
        )}
      </div>
    </div>
  );
}
