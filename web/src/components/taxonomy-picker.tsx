import { useEffect, useId, useState, type KeyboardEvent } from 'react';
import { api } from '../api.js';

/**
 * An accessible combobox (WAI-ARIA 1.2 "list autocomplete") over the project's taxonomy: event
 * names from `/event_definitions/`, event or person property names from `/property_definitions/`.
 *
 *   <TaxonomyPicker projectId={1} kind="event" label="Event" value={event} onChange={setEvent} emptyOption="All events" />
 *   <TaxonomyPicker projectId={1} kind="event_property" label="Property" value={key} onChange={setKey} eventNames={['$pageview']} />
 *
 * Typing searches the server; ↑/↓ move, Enter picks, Escape closes. A typed name not in the list
 * is accepted on Enter or when leaving the box (`allowCustom`, default true) since definitions can
 * lag ingestion. With `eventNames`, properties seen with those events are listed first and marked.
 */
export type TaxonomyKind = 'event' | 'event_property' | 'person_property';

export interface TaxonomyPickerProps {
  projectId: number;
  kind: TaxonomyKind;
  /** The chosen name; '' = nothing (or `emptyOption`). */
  value: string;
  onChange: (value: string) => void;
  label: string;
  /** Offered first; picking it sets ''. E.g. "All events". */
  emptyOption?: string;
  eventNames?: string[];
  allowCustom?: boolean;
  placeholder?: string;
  /** The label is there for screen readers only. */
  hideLabel?: boolean;
}

interface Option {
  name: string;
  /** Seen with the chosen events (property kinds with `eventNames`). */
  seen?: boolean;
}

interface Definition {
  name: string;
  is_seen_on_filtered_events?: boolean | null;
}

const PAGE = 50;

function definitionsPath(projectId: number, kind: TaxonomyKind, search: string, eventNames: string[] | undefined): string {
  const params = new URLSearchParams({ limit: String(PAGE) });
  if (search) params.set('search', search);
  if (kind === 'event') {
    params.set('ordering', 'name');
    return `/api/projects/${projectId}/event_definitions/?${params}`;
  }
  params.set('type', kind === 'event_property' ? 'event' : 'person');
  if (kind === 'event_property' && eventNames?.length) params.set('event_names', JSON.stringify(eventNames));
  return `/api/projects/${projectId}/property_definitions/?${params}`;
}

export function TaxonomyPicker({ projectId, kind, value, onChange, label, emptyOption, eventNames, allowCustom = true, placeholder, hideLabel }: TaxonomyPickerProps) {
  const id = useId();
  const listId = `${id}-list`;
  const [open, setOpen] = useState(false);
  const [text, setText] = useState(value || (emptyOption ?? ''));
  const [search, setSearch] = useState('');
  const [options, setOptions] = useState<Option[]>([]);
  const [total, setTotal] = useState(0);
  const [status, setStatus] = useState<'idle' | 'loading' | 'error'>('idle');
  const [errorText, setErrorText] = useState('');
  const [active, setActive] = useState(-1);
  /** The user typed since opening: leaving the box then commits what they typed. */
  const [dirty, setDirty] = useState(false);
  const eventKey = JSON.stringify(eventNames ?? []);

  // The box shows the chosen value whenever it is not being edited.
  useEffect(() => {
    if (!open) setText(value || (emptyOption ?? ''));
  }, [value, emptyOption, open]);

  useEffect(() => {
    if (!open) return;
    const controller = new AbortController();
    setStatus('loading');
    // A short pause so each keystroke does not cost a request.
    const timer = setTimeout(() => {
      api
        .get<{ count?: number; results: Definition[] }>(definitionsPath(projectId, kind, search, eventNames), controller.signal)
        .then((page) => {
          setOptions(page.results.map((d) => ({ name: d.name, seen: eventNames?.length ? d.is_seen_on_filtered_events === true : undefined })));
          setTotal(page.count ?? page.results.length);
          setStatus('idle');
        })
        .catch((err: Error) => {
          if (err.name === 'AbortError') return;
          setErrorText(err.message);
          setStatus('error');
        });
    }, 150);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
    // eventKey stands for eventNames (a new array each render).
  }, [open, search, projectId, kind, eventKey]);

  const list: Array<Option & { empty?: boolean }> = [...(emptyOption && !search ? [{ name: emptyOption, empty: true }] : []), ...options];

  function choose(option: (Option & { empty?: boolean }) | undefined) {
    const next = option ? (option.empty ? '' : option.name) : text.trim();
    setOpen(false);
    setActive(-1);
    setSearch('');
    setDirty(false);
    setText(next || (emptyOption ?? ''));
    if (next !== value) onChange(next);
  }

  function revert() {
    setOpen(false);
    setActive(-1);
    setSearch('');
    setDirty(false);
    setText(value || (emptyOption ?? ''));
  }

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      if (!open) {
        setOpen(true);
        return;
      }
      const step = event.key === 'ArrowDown' ? 1 : -1;
      setActive((a) => (list.length === 0 ? -1 : (a + step + list.length) % list.length));
    } else if (event.key === 'Enter') {
      if (!open) return;
      event.preventDefault();
      if (active >= 0) choose(list[active]);
      else if (allowCustom && text.trim() !== '') choose(undefined);
      else if (text.trim() === '' && emptyOption) choose(list[0]);
    } else if (event.key === 'Escape') {
      if (open) {
        event.preventDefault();
        revert();
      }
    }
  }

  function onBlur() {
    if (!open) return;
    const typed = text.trim();
    if (dirty && allowCustom && typed !== '') choose(undefined);
    else if (dirty && typed === '' && emptyOption) choose({ name: emptyOption, empty: true });
    else revert();
  }

  const activeId = active >= 0 && active < list.length ? `${id}-opt-${active}` : undefined;
  const inputId = `${id}-input`;
  return (
    <div className="taxonomy-picker">
      <label htmlFor={inputId} className={hideLabel ? 'visually-hidden' : 'taxonomy-picker-label'}>
        {label}
      </label>
      <input
        id={inputId}
        className="input mono"
        role="combobox"
        aria-autocomplete="list"
        aria-expanded={open}
        aria-controls={listId}
        aria-activedescendant={open ? activeId : undefined}
        autoComplete="off"
        spellCheck={false}
        placeholder={placeholder}
        value={text}
        onFocus={(e) => {
          e.currentTarget.select();
          setOpen(true);
        }}
        onClick={() => setOpen(true)}
        onChange={(e) => {
          setText(e.target.value);
          setSearch(e.target.value.trim());
          setDirty(true);
          setActive(-1);
          setOpen(true);
        }}
        onKeyDown={onKeyDown}
        onBlur={onBlur}
      />
      <div className="taxonomy-popup" hidden={!open}>
        <ul id={listId} role="listbox" aria-label={label} className="taxonomy-list">
          {list.map((option, index) => (
            <li
              key={`${option.empty ? 'empty:' : ''}${option.name}`}
              id={`${id}-opt-${index}`}
              role="option"
              aria-selected={index === active}
              className="taxonomy-option"
              // mousedown, not click: the input keeps focus, so its blur does not close the list first
              onMouseDown={(e) => {
                e.preventDefault();
                choose(option);
              }}
              onMouseMove={() => setActive(index)}
            >
              <span className={option.empty ? undefined : 'mono'}>{option.name}</span>
              {option.seen && <span className="taxonomy-seen">seen with {eventNames?.length === 1 ? eventNames[0] : 'these events'}</span>}
            </li>
          ))}
        </ul>
        <p className="taxonomy-status" role="status">
          {status === 'loading'
            ? 'Loading…'
            : status === 'error'
              ? `Could not load names: ${errorText}`
              : options.length === 0
                ? search
                  ? allowCustom
                    ? `No match. Press Enter to use "${search}".`
                    : 'No match.'
                  : 'Nothing seen yet.'
                : total > options.length
                  ? `${options.length} of ${total}: type to narrow down.`
                  : `${options.length} ${options.length === 1 ? 'name' : 'names'}`}
        </p>
      </div>
    </div>
  );
}
