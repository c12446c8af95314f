import { useId, type InputHTMLAttributes } from 'react';
import { api } from '../api.js';
import { useProject } from '../project.js';
import type { Paginated } from '../types.js';
import { useApi } from '../use-api.js';

/** Answers shared by every box on the page for a minute: a form with ten event boxes asks once. */
const cache = new Map<string, { at: number; names: Promise<string[]> }>();

function loadNames(path: string): Promise<string[]> {
  const held = cache.get(path);
  if (held && Date.now() - held.at < 60_000) return held.names;
  const names = api.get<Paginated<{ name: string }>>(path).then((page) => page.results.map((d) => d.name));
  names.catch(() => cache.delete(path));
  cache.set(path, { at: Date.now(), names });
  return names;
}

/**
 * Names the project has seen (events, or person properties), for the suggestions of a text box.
 * One request per page that asks; a failed load only means no suggestions, never a broken form.
 */
function useDefinitionNames(kind: 'event' | 'person'): string[] {
  const { project } = useProject();
  const path = kind === 'event' ? `/api/projects/${project.id}/event_definitions/?limit=500` : `/api/projects/${project.id}/property_definitions/?type=person&limit=500`;
  const names = useApi<string[]>(path, () => loadNames(path));
  return names.status === 'ready' ? names.data : [];
}

type TextProps = Omit<InputHTMLAttributes<HTMLInputElement>, 'value' | 'onChange' | 'list'> & { value: string; onChange: (value: string) => void };

/** A text box for an event name that suggests the project's events (any name may still be typed). */
export function EventNameInput({ value, onChange, ...rest }: TextProps) {
  const listId = useId();
  const names = useDefinitionNames('event');
  return (
    <>
      <input {...rest} className={`input mono ${rest.className ?? ''}`} list={listId} value={value} onChange={(e) => onChange(e.target.value)} />
      <datalist id={listId}>
        {names.map((n) => (
          <option key={n} value={n} />
        ))}
      </datalist>
    </>
  );
}

/** A text box for a person property key that suggests the properties persons of this project have. */
export function PersonPropertyInput({ value, onChange, ...rest }: TextProps) {
  const listId = useId();
  const names = useDefinitionNames('person');
  return (
    <>
      <input {...rest} className={`input mono ${rest.className ?? ''}`} list={listId} value={value} onChange={(e) => onChange(e.target.value)} />
      <datalist id={listId}>
        {names.map((n) => (
          <option key={n} value={n} />
        ))}
      </datalist>
    </>
  );
}
