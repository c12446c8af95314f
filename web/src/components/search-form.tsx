import type { FormEvent } from 'react';

/** A search box with its (visually hidden) label and a Search button; the page decides what submitting does (usually: put the text in the URL). */
export function SearchForm({ id, label, placeholder, value, onChange, onSubmit }: {
  id: string;
  label: string;
  placeholder: string;
  value: string;
  onChange: (value: string) => void;
  onSubmit: (event: FormEvent) => void;
}) {
  return (
    <form role="search" className="search-form" onSubmit={onSubmit}>
      <label htmlFor={id} className="visually-hidden">
        {label}
      </label>
      <input id={id} className="input" type="search" placeholder={placeholder} value={value} onChange={(e) => onChange(e.target.value)} />
      <button type="submit" className="button">
        Search
      </button>
    </form>
  );
}
