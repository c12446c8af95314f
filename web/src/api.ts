/**
 * The one way the app talks to the server: same-origin fetch with the session cookie, the
 * X-CSRFToken header on writes, and the server's JSON error `detail` turned into an ApiError the
 * page can show as it is.
 */

export const CSRF_COOKIE = 'hedgerow_csrftoken';
/** Dispatched on `window` when a call answers 401: the session is gone and the app shows the login. */
export const UNAUTHENTICATED_EVENT = 'hedgerow:unauthenticated';

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string | null = null,
    readonly attr: string | null = null,
    /** The whole error body, for fields beyond `detail` (e.g. a HogQL error's `start`/`end` offsets). */
    readonly body: Record<string, unknown> | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

function csrfToken(): string {
  for (const part of document.cookie.split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === CSRF_COOKIE) return value.join('=');
  }
  return '';
}

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export async function apiRequest<T>(method: Method, path: string, body?: unknown, options: { signal?: AbortSignal; quiet401?: boolean } = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET') headers['x-csrftoken'] = csrfToken();
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin', signal: options.signal });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError('Could not reach the Hedgerow server. Check that it is running, then try again.', 0);
  }
  const text = await res.text();
  let data: unknown;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = undefined;
  }
  if (!res.ok) {
    if (res.status === 401 && !options.quiet401) window.dispatchEvent(new Event(UNAUTHENTICATED_EVENT));
    const err = (data ?? {}) as { detail?: unknown; code?: unknown; attr?: unknown };
    const detail = typeof err.detail === 'string' ? err.detail : `The server answered ${res.status} ${res.statusText}.`;
    const body = data !== null && typeof data === 'object' ? (data as Record<string, unknown>) : null;
    throw new ApiError(detail, res.status, typeof err.code === 'string' ? err.code : null, typeof err.attr === 'string' ? err.attr : null, body);
  }
  return data as T;
}

export const api = {
  get: <T>(path: string, signal?: AbortSignal) => apiRequest<T>('GET', path, undefined, { signal }),
  post: <T>(path: string, body?: unknown) => apiRequest<T>('POST', path, body ?? {}),
  patch: <T>(path: string, body: unknown) => apiRequest<T>('PATCH', path, body),
  delete: (path: string) => apiRequest<void>('DELETE', path),
};

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
