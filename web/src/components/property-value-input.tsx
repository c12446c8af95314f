import { useEffect, useId, useState } from 'react';
import { api } from '../api.js';
import { useProject } from '../project.js';

interface Props {
  /** Whose property: events' (suggested from recent events) or persons'. */
  type: 'event' | 'person';
  propertyKey: string;
  value: string;
  onChange: (value: string) => void;
  /** The box holds a comma-separated list: suggestions complete its last item. */
  list: boolean;
  label: string;
  placeholder?: string;
  /** Event values seen with these events only. */
  eventNames?: string[];
}

/**
 * The value box of a property filter, suggesting the property's most frequent values from the
 * data (PostHog's `events/values/` and `persons/values/`) as the person types. A native datalist:
 * the browser provides keyboard and screen-reader behaviour; any value may still be typed.
 */
export function PropertyValueInput({ type, propertyKey, value, onChange, list, label, placeholder, eventNames }: Props) {
  const { project } = useProject();
  const listId = useId();
  const [focused, setFocused] = useState(false);
  const [suggestions, setSuggestions] = useState<string[]>([]);
  // With a list, only the item being typed is searched; earlier items stay as typed.
  const cut = list ? value.lastIndexOf(',') + 1 : 0;
  const head = value.slice(0, cut);
  const search = value.slice(cut).trim();
  const eventKey = JSON.stringify(eventNames ?? []);

  useEffect(() => {
    if (!focused || propertyKey.trim() === '') return;
    const controller = new AbortController();
    const params = new URLSearchParams({ key: propertyKey.trim() });
    if (search) params.set('value', search);
    if (type === 'event') for (const name of eventNames ?? []) params.append('event_name', name);
    // A short pause so each keystroke does not cost a request.
    const timer = setTimeout(() => {
      api
        .get<Array<{ name: string }>>(`/api/projects/${project.id}/${type === 'event' ? 'events' : 'persons'}/values/?${params}`, controller.signal)
        .then((values) => setSuggestions(values.map((v) => v.name)))
        .catch((err: Error) => {
          // Suggestions are a help, never a blocker: a failed load only leaves the box without them.
          if (err.name !== 'AbortError') setSuggestions([]);
        });
    }, 150);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
    // eventKey stands for eventNames (a new array each render).
  }, [focused, propertyKey, search, type, project.id, eventKey]);

  return (
    <>
      <input
        aria-label={label}
        className="input"
        placeholder={placeholder}
        list={listId}
        autoComplete="off"
        value={value}
        onFocus={() => setFocused(true)}
        onBlur={() => setFocused(false)}
        onChange={(e) => onChange(e.target.value)}
      />
      <datalist id={listId}>
        {suggestions.map((s) => (
          <option key={s} value={`${head}${head && !head.endsWith(' ') ? ' ' : ''}${s}`} />
        ))}
      </datalist>
    </>
  );
}
