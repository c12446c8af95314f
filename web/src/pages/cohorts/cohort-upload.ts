import { ApiError, CSRF_COOKIE } from '../../api.js';
import type { Cohort } from './cohort-model.js';

function csrfToken(): string {
  const match = document.cookie.split(';').map((p) => p.trim().split('=')).find(([name]) => name === CSRF_COOKIE);
  return match ? match.slice(1).join('=') : '';
}

/**
 * A static cohort's CSV goes up as PostHog's form does it: multipart with the file in `csv` and the
 * other fields as text. The JSON client cannot send files, so this is its one multipart sibling;
 * errors read the same way (the server's `detail`).
 */
export async function sendCohortForm(method: 'POST' | 'PATCH', path: string, fields: Record<string, string>, csv: File | null): Promise<Cohort> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  if (csv) form.append('csv', csv, csv.name);
  let res: Response;
  try {
    res = await fetch(path, { method, body: form, credentials: 'same-origin', headers: { accept: 'application/json', 'x-csrftoken': csrfToken() } });
  } catch {
    throw new ApiError('Could not reach the Hedgerow server. Check that it is running, then try again.', 0);
  }
  const data = (await res.json().catch(() => ({}))) as { detail?: unknown; attr?: unknown } & Cohort;
  if (!res.ok) throw new ApiError(typeof data.detail === 'string' ? data.detail : `The server answered ${res.status} ${res.statusText}.`, res.status, null, typeof data.attr === 'string' ? data.attr : null);
  return data;
}
