/** The two cookies of a browser login. Values are base64url tokens, so no encoding is needed. */
export const SESSION_COOKIE = 'hedgerow_session';
/** Readable by the page, which echoes it in the `X-CSRFToken` header (PostHog's header name). */
export const CSRF_COOKIE = 'hedgerow_csrftoken';

/** Parses a `Cookie` header; the first occurrence of a name wins, as browsers send the most specific first. */
export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!header) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (name && !(name in out)) out[name] = part.slice(eq + 1).trim();
  }
  return out;
}

/**
 * A `Set-Cookie` value. SameSite=Lax keeps the cookies off cross-site subrequests and form posts;
 * `secure` is set when the request came over HTTPS (directly or through a trusted proxy).
 */
export function serializeCookie(name: string, value: string, options: { maxAgeSeconds: number; httpOnly: boolean; secure: boolean }): string {
  const parts = [`${name}=${value}`, 'Path=/', `Max-Age=${options.maxAgeSeconds}`, 'SameSite=Lax'];
  if (options.httpOnly) parts.push('HttpOnly');
  if (options.secure) parts.push('Secure');
  return parts.join('; ');
}
