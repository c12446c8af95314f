/**
 * A query cohort's HogQL (Hedgerow's addition to PostHog's cohorts): a SELECT whose one column is
 * person ids. The server compiles it on save, so a mistake comes back as its 400 message.
 */
export function CohortQueryField({ value, onChange }: { value: string; onChange: (text: string) => void }) {
  return (
    <div className="field cohort-query">
      <label htmlFor="cohort-query">HogQL query</label>
      <textarea
        id="cohort-query"
        className="input mono"
        rows={6}
        spellCheck={false}
        aria-describedby="cohort-query-hint"
        placeholder={"SELECT person_id FROM events\nWHERE event = 'purchase'\nGROUP BY person_id\nHAVING count() >= 3"}
        value={value}
        onChange={(e) => onChange(e.target.value)}
      />
      <p id="cohort-query-hint" className="hint">
        One column of person IDs: <code>person_id</code> from <code>events</code>, or <code>id</code> from <code>persons</code>.
      </p>
    </div>
  );
}
