import { useState, type FormEvent } from 'react';
import { apiRequest, errorMessage } from '../../api.js';
import { useProject } from '../../project.js';

interface FlagDetail {
  key: string;
  enabled: boolean;
  variant: string | null;
  reason: { code: string; condition_index: number | null; description: string | null };
  metadata: { payload: string | null };
}

interface Answer {
  distinctId: string;
  detail: FlagDetail | undefined;
  errors: boolean;
}

function parseObject(text: string, what: string): Record<string, unknown> | undefined {
  if (!text.trim()) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`${what} must be JSON: ${(err as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${what} must be a JSON object, like {"plan": "pro"}.`);
  return value as Record<string, unknown>;
}

/**
 * "Who gets what": evaluates the saved flag exactly as an SDK would, with `POST /flags?v=2` and the
 * project token, for a distinct id (its stored person properties, overridden by any given here).
 */
export function FlagTester({ flagKey, groupType }: { flagKey: string; groupType: string | null }) {
  const { project } = useProject();
  const [distinctId, setDistinctId] = useState('');
  const [properties, setProperties] = useState('');
  const [groupKey, setGroupKey] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [answer, setAnswer] = useState<Answer | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    setBusy(true);
    try {
      const body: Record<string, unknown> = { token: project.api_token, distinct_id: distinctId.trim() };
      const props = parseObject(properties, groupType ? 'Group properties' : 'Person properties');
      if (groupType) {
        body.groups = { [groupType]: groupKey.trim() };
        if (props) body.group_properties = { [groupType]: props };
      } else if (props) body.person_properties = props;
      // quiet401: a refused token is this form's error, not a sign the user's session ended.
      const res = await apiRequest<{ flags: Record<string, FlagDetail>; errorsWhileComputingFlags: boolean }>('POST', '/flags/?v=2', body, { quiet401: true });
      setAnswer({ distinctId: distinctId.trim(), detail: res.flags[flagKey], errors: res.errorsWhileComputingFlags });
    } catch (err) {
      setError(errorMessage(err));
      setAnswer(null);
    } finally {
      setBusy(false);
    }
  }

  const d = answer?.detail;
  return (
    <section className="card" aria-labelledby="tester-title">
      <h2 id="tester-title">See who gets what</h2>
      <p className="muted">Evaluates the saved flag as the SDKs do (<code>POST /flags</code> with the project token).</p>
      <form onSubmit={(e) => void submit(e)}>
        <div className="field">
          <label htmlFor="tester-distinct-id">Distinct ID</label>
          <input id="tester-distinct-id" className="input mono" required value={distinctId} onChange={(e) => setDistinctId(e.target.value)} />
        </div>
        {groupType && (
          <div className="field">
            <label htmlFor="tester-group-key">{groupType} key</label>
            <input id="tester-group-key" className="input mono" required value={groupKey} onChange={(e) => setGroupKey(e.target.value)} />
          </div>
        )}
        <div className="field">
          <label htmlFor="tester-properties">{groupType ? 'Group properties' : 'Person properties'} (optional JSON)</label>
          <textarea id="tester-properties" className="input mono" rows={2} placeholder='{"plan": "pro"}' value={properties} onChange={(e) => setProperties(e.target.value)} />
          <p className="hint">Override or add to the stored properties for this evaluation only.</p>
        </div>
        <button type="submit" className="button" disabled={busy}>
          Evaluate
        </button>
      </form>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      {answer && (
        <div className="tester-answer" role="status" aria-live="polite">
          {d ? (
            <dl className="facts">
              <div>
                <dt>Value for {answer.distinctId}</dt>
                <dd data-testid="tester-value">
                  <strong>{d.variant ?? String(d.enabled)}</strong>
                </dd>
              </div>
              <div>
                <dt>Reason</dt>
                <dd data-testid="tester-reason">{d.reason.description ?? d.reason.code}</dd>
              </div>
              {d.metadata.payload !== null && (
                <div>
                  <dt>Payload</dt>
                  <dd>
                    <code>{d.metadata.payload}</code>
                  </dd>
                </div>
              )}
            </dl>
          ) : (
            <p>The flag was not evaluated: it is disabled or deleted, so SDKs receive nothing for it.</p>
          )}
          {answer.errors && <p className="warning">The server reported errors while computing flags; the value may be incomplete.</p>}
        </div>
      )}
    </section>
  );
}
