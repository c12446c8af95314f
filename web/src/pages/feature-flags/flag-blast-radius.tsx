import { useEffect, useState } from 'react';
import { api, errorMessage } from '../../api.js';
import type { FlagFilter } from './flag-model.js';

/** PostHog's `user_blast_radius` answer: matching users (or groups) of the condition's filters, out of all. */
export interface BlastRadiusAnswer {
  users_affected: number;
  total_users: number;
}

/** Typing waits this long before counting again, so a count runs once per pause, not per keystroke. */
const DEBOUNCE_MS = 400;

type Result = { key: string } & ({ status: 'ready'; data: BlastRadiusAnswer } | { status: 'error'; message: string });

const count = (n: number) => n.toLocaleString('en-US');

/** A share as people read it: whole numbers plain, otherwise one decimal, and never "0%" for a few. */
export function formatShare(part: number, whole: number): string {
  if (whole <= 0) return '0%';
  const pct = (part / whole) * 100;
  if (pct > 0 && pct < 0.1) return '<0.1%';
  return `${Number.isInteger(pct) ? pct : pct.toFixed(1)}%`;
}

/** "users" → "user" for one. */
const noun = (plural: string, n: number) => (n === 1 && plural.endsWith('s') ? plural.slice(0, -1) : plural);

/** The rollout text as a percentage, or null while it is not one (the server refuses it on save). */
function rolloutOf(text: string): number | null {
  const n = Number(text);
  return text.trim() !== '' && Number.isFinite(n) && n >= 0 && n <= 100 ? n : null;
}

/**
 * "Matches about N of M users (x%) · rollout y% → ~z users" for one condition set. The server counts the
 * filters (PostHog's `user_blast_radius`, rollout not applied); the rollout share is applied here, as PostHog
 * does. Counted again, debounced, whenever the filters change; the last count stays shown meanwhile.
 */
export function BlastRadius({
  projectId,
  filters,
  unfinished,
  groupIndex,
  rollout,
  subject,
}: {
  projectId: number;
  filters: FlagFilter[];
  /** Rows left out of the count because they are not filled in yet. */
  unfinished: number;
  groupIndex: number | null;
  rollout: string;
  /** "users" or a group type's plural. */
  subject: string;
}) {
  const body = JSON.stringify({ condition: { properties: filters }, group_type_index: groupIndex });
  const [result, setResult] = useState<Result | null>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let current = true;
    const timer = setTimeout(() => {
      api.post<BlastRadiusAnswer>(`/api/projects/${projectId}/feature_flags/user_blast_radius`, JSON.parse(body) as unknown).then(
        (data) => current && setResult({ key: body, status: 'ready', data }),
        (err: unknown) => current && setResult({ key: body, status: 'error', message: errorMessage(err) }),
      );
    }, DEBOUNCE_MS);
    // A newer body (or unmounting) makes this count stale: its answer is dropped.
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [projectId, body, attempt]);

  const pending = result?.key !== body;
  const skipped = unfinished > 0 && (
    <span className="muted">
      {' '}
      ({unfinished} unfinished filter{unfinished === 1 ? '' : 's'} not counted)
    </span>
  );

  let content;
  if (!result) {
    content = (
      <span className="muted">
        <span className="spinner" aria-hidden="true" /> Counting matching {subject}…
      </span>
    );
  } else if (result.status === 'error') {
    content = (
      <span className="error-text">
        Could not estimate the matching {subject}: {result.message}{' '}
        <button type="button" className="button button-small" onClick={() => setAttempt((a) => a + 1)}>
          Try again
        </button>
      </span>
    );
  } else {
    const { users_affected: matched, total_users: total } = result.data;
    const pct = rolloutOf(rollout);
    content =
      total === 0 ? (
        <span className="muted">No {subject} seen yet, so there is nothing to match.</span>
      ) : (
        <span data-testid="blast-radius-text">
          Matches about {count(matched)} of {count(total)} {subject} ({formatShare(matched, total)})
          {pct !== null && (
            <>
              {' · '}rollout {pct}% → ~{count(Math.round((matched * pct) / 100))} {noun(subject, Math.round((matched * pct) / 100))}
            </>
          )}
        </span>
      );
  }

  return (
    <p className={pending && result ? 'blast-radius blast-radius-pending' : 'blast-radius'} aria-live="polite" aria-busy={pending}>
      {content}
      {skipped}
      {pending && result && <span className="muted"> Updating…</span>}
    </p>
  );
}
