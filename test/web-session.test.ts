import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, createProject } from './helpers/api.js';
import { startServer, type TestServer } from './helpers/server.js';

/**
 * Browser sessions over HTTP: login sets an HttpOnly session cookie and a readable CSRF cookie;
 * cookie-authenticated writes must echo the CSRF token; Bearer keys work as before; the web app is
 * served at / with an SPA fallback that never answers API or SDK paths.
 */

interface Me {
  id: number;
  email: string;
  team: { id: number; api_token: string; name: string } | null;
  organization: { id: string; name: string; teams: Array<{ id: number }> };
  organizations: Array<{ id: string; name: string }>;
}

interface Login {
  status: number;
  body: { detail?: string; code?: string; success?: boolean };
  setCookies: string[];
  /** `Cookie` header value for the cookies set. */
  cookie: string;
  csrf: string;
  retryAfter: string | null;
}

// The test server trusts 127.0.0.1 as a proxy so each test can log in from its own client address.
let server: TestServer;
let nextIp = 1;
const freshIp = () => `198.51.100.${nextIp++}`;

async function login(email: string, password: string, ip = freshIp(), contentType = 'application/json'): Promise<Login> {
  const res = await fetch(`${server.url}/api/login`, {
    method: 'POST',
    headers: { 'content-type': contentType, 'x-forwarded-for': ip },
    body: JSON.stringify({ email, password }),
  });
  const setCookies = res.headers.getSetCookie();
  const pairs = setCookies.map((c) => c.split(';')[0]!);
  const text = await res.text();
  return {
    status: res.status,
    body: text ? JSON.parse(text) : {},
    setCookies,
    cookie: pairs.join('; '),
    csrf: pairs.find((p) => p.startsWith('hedgerow_csrftoken='))?.split('=')[1] ?? '',
    retryAfter: res.headers.get('retry-after'),
  };
}

async function withCookie<T = any>(pathname: string, cookie: string, init: RequestInit & { csrf?: string } = {}) {
  const headers = new Headers(init.headers);
  headers.set('cookie', cookie);
  if (init.csrf !== undefined) headers.set('x-csrftoken', init.csrf);
  if (init.body) headers.set('content-type', 'application/json');
  const res = await fetch(server.url + pathname, { ...init, headers });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T, headers: res.headers };
}

beforeAll(async () => {
  server = await startServer({ HEDGEROW_TRUSTED_PROXIES: '127.0.0.1' });
});

afterAll(async () => {
  await server?.dispose();
});

describe('POST /api/login', () => {
  it('a wrong password or an unknown email is 401 "Invalid email or password." and sets no cookie', async () => {
    for (const [email, password] of [
      [server.adminEmail, 'wrong password'],
      ['nobody@example.com', server.adminPassword],
    ] as const) {
      const res = await login(email, password);
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ code: 'authentication_failed', detail: 'Invalid email or password.' });
      expect(res.setCookies).toEqual([]);
    }
  });

  it('a missing field is a 400 naming it; a form post (not JSON) is refused with 415', async () => {
    const res = await fetch(`${server.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: server.adminEmail }) });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'invalid_input', attr: 'password' });
    const form = await login(server.adminEmail, server.adminPassword, freshIp(), 'application/x-www-form-urlencoded');
    expect(form.status).toBe(415);
  });

  it('the right password sets an HttpOnly SameSite session cookie and a readable CSRF cookie for the whole site', async () => {
    const res = await login(server.adminEmail.toUpperCase(), server.adminPassword); // emails match case-insensitively
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true });
    const session = res.setCookies.find((c) => c.startsWith('hedgerow_session='))!;
    const csrf = res.setCookies.find((c) => c.startsWith('hedgerow_csrftoken='))!;
    expect(session).toMatch(/^hedgerow_session=[A-Za-z0-9_-]{43}; /);
    expect(session).toContain('; Path=/');
    expect(session).toContain('; HttpOnly');
    expect(session).toContain('; SameSite=Lax');
    expect(session).toContain(`; Max-Age=${14 * 24 * 3600}`);
    expect(csrf).toMatch(/^hedgerow_csrftoken=[A-Za-z0-9_-]{43}; /);
    expect(csrf).not.toContain('HttpOnly');
    expect(csrf).toContain('; SameSite=Lax');
  });

  it('after 10 failures from one address every attempt from it is refused with 429 and Retry-After, even the right password; other addresses are unaffected', async () => {
    const ip = freshIp();
    for (let i = 0; i < 10; i++) expect((await login(server.adminEmail, `guess ${i}`, ip)).status).toBe(401);
    const blocked = await login(server.adminEmail, server.adminPassword, ip);
    expect(blocked.status).toBe(429);
    expect(blocked.body.code).toBe('throttled');
    expect(blocked.body.detail).toMatch(/Too many failed logins/);
    expect(Number(blocked.retryAfter)).toBeGreaterThan(0);
    expect(Number(blocked.retryAfter)).toBeLessThanOrEqual(15 * 60);
    expect(blocked.setCookies).toEqual([]);
    expect((await login(server.adminEmail, server.adminPassword, freshIp())).status).toBe(200);
  });
});

describe('session cookie on the private API', () => {
  let session: Login;
  beforeAll(async () => {
    session = await login(server.adminEmail, server.adminPassword);
  });

  it('GET /api/users/@me answers with the user, the current project and the organization', async () => {
    const res = await withCookie<Me>('/api/users/@me/', session.cookie);
    expect(res.status).toBe(200);
    expect(res.body.email).toBe(server.adminEmail);
    expect(res.body.team!.api_token).toBe(server.projectApiKey);
    expect(res.body.organization.teams.map((t) => t.id)).toContain(res.body.team!.id);
    expect(res.body.organizations).toEqual([expect.objectContaining({ id: res.body.organization.id, name: res.body.organization.name })]);
    // The same answer for the user's personal API key.
    const byKey = await api<Me>(server, '/api/users/@me/');
    expect(byKey.status).toBe(200);
    expect(byKey.body).toEqual(res.body);
  });

  it('without a cookie or key the API is 401; a made-up session cookie is 401 asking to log in again', async () => {
    expect((await api(server, '/api/users/@me/', { key: null })).status).toBe(401);
    const forged = await withCookie<{ code: string; detail: string }>('/api/users/@me/', 'hedgerow_session=' + 'A'.repeat(43));
    expect(forged.status).toBe(401);
    expect(forged.body.detail).toMatch(/log in again/);
  });

  it('a cookie-authenticated write needs X-CSRFToken equal to the CSRF cookie of this session', async () => {
    const patch = (cookie: string, csrf?: string) =>
      withCookie<{ code: string; detail: string; week_start_day: number }>('/api/projects/@current/', cookie, { method: 'PATCH', body: JSON.stringify({ week_start_day: 1 }), csrf });

    const missing = await patch(session.cookie);
    expect(missing.status).toBe(403);
    expect(missing.body.code).toBe('permission_denied');
    expect(missing.body.detail).toMatch(/CSRF check failed.*X-CSRFToken/);
    expect((await patch(session.cookie, 'x'.repeat(43))).status).toBe(403);

    // Header equal to a cookie the attacker planted: still refused, the token is not this session's.
    const sessionPart = session.cookie.split('; ').find((p) => p.startsWith('hedgerow_session='))!;
    const planted = 'p'.repeat(43);
    expect((await patch(`${sessionPart}; hedgerow_csrftoken=${planted}`, planted)).status).toBe(403);
    // Another session's valid token does not fit this one either.
    const other = await login(server.adminEmail, server.adminPassword);
    expect((await patch(`${sessionPart}; hedgerow_csrftoken=${other.csrf}`, other.csrf)).status).toBe(403);

    const ok = await patch(session.cookie, session.csrf);
    expect(ok.status).toBe(200);
    expect(ok.body.week_start_day).toBe(1);
    // Reads need no token.
    expect((await withCookie('/api/projects/', session.cookie)).status).toBe(200);
  });

  it('the session acts with all scopes: it creates a personal API key (the key then works as Bearer)', async () => {
    const created = await withCookie<{ value: string }>('/api/personal_api_keys/', session.cookie, {
      method: 'POST',
      body: JSON.stringify({ label: 'from the browser', scopes: ['project:read'] }),
      csrf: session.csrf,
    });
    expect(created.status).toBe(201);
    expect((await api(server, '/api/projects/', { key: created.body.value })).status).toBe(200);
  });

  it('Bearer keys work as before: no CSRF for them, and a cookie does not override the Authorization header', async () => {
    const res = await api(server, '/api/projects/@current/', {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', cookie: session.cookie },
      body: JSON.stringify({ week_start_day: 0 }),
    });
    expect(res.status).toBe(200);
    const badKey = await api(server, '/api/projects/', { key: 'phx_' + 'z'.repeat(43), headers: { cookie: session.cookie } });
    expect(badKey.status).toBe(401);
  });

  it('PATCH @me set_current_team makes another project the current one; a project of no one is 400', async () => {
    const second = await createProject(server, 'Session second');
    const set = await withCookie<Me>('/api/users/@me/', session.cookie, { method: 'PATCH', body: JSON.stringify({ set_current_team: second.id }), csrf: session.csrf });
    expect(set.status).toBe(200);
    expect(set.body.team!.id).toBe(second.id);
    expect((await withCookie<Me>('/api/users/@me/', session.cookie)).body.team!.api_token).toBe(second.api_token);
    const bad = await withCookie<{ attr: string }>('/api/users/@me/', session.cookie, { method: 'PATCH', body: JSON.stringify({ set_current_team: 987654 }), csrf: session.csrf });
    expect(bad.status).toBe(400);
    expect(bad.body.attr).toBe('set_current_team');
  });

  it('logout needs the CSRF token, clears both cookies, and the old cookie stops working at once', async () => {
    const mine = await login(server.adminEmail, server.adminPassword);
    expect((await withCookie('/api/logout', mine.cookie, { method: 'POST' })).status).toBe(403);
    const out = await withCookie('/api/logout', mine.cookie, { method: 'POST', csrf: mine.csrf });
    expect(out.status).toBe(204);
    const cleared = out.headers.getSetCookie();
    expect(cleared).toEqual([expect.stringMatching(/^hedgerow_session=; .*Max-Age=0/), expect.stringMatching(/^hedgerow_csrftoken=; .*Max-Age=0/)]);
    expect((await withCookie('/api/users/@me/', mine.cookie)).status).toBe(401);
    // Other sessions of the same user are untouched.
    expect((await withCookie('/api/users/@me/', session.cookie)).status).toBe(200);
  });
});

describe('the web app at /', () => {
  const indexHtml = path.resolve(import.meta.dirname, '../dist/web/index.html');

  it('/ and app routes answer browsers with the app shell; API, SDK and unknown asset paths keep their JSON 404', async () => {
    const html = { accept: 'text/html,application/xhtml+xml' };
    for (const pathname of ['/', '/login', '/project/1/home', '/project/1/settings/user-api-keys?x=1', '/home']) {
      const res = await fetch(server.url + pathname, { headers: html });
      expect(res.status, pathname).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(await res.text()).toBe(fs.readFileSync(indexHtml, 'utf8'));
    }
    for (const pathname of ['/api/nothing', '/flags/nothing', '/assets/nothing.js', '/batch/nothing']) {
      const res = await fetch(server.url + pathname, { headers: html });
      expect(res.status, pathname).toBe(404);
      expect(((await res.json()) as { code: string }).code).toBe('not_found');
    }
    // An API client (no text/html) gets JSON, not the app, for an unknown path.
    const curl = await fetch(`${server.url}/project/1/home`, { headers: { accept: '*/*' } });
    expect(curl.status).toBe(404);
    // Capture still answers as before.
    const capture = await fetch(`${server.url}/e/`, { method: 'POST', body: JSON.stringify({ api_key: server.projectApiKey, event: 'x', distinct_id: 'd' }) });
    expect(capture.status).toBe(200);
  });

  it('hashed assets are cached for a year and served pre-compressed', async () => {
    const html = fs.readFileSync(indexHtml, 'utf8');
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1]!;
    const local = fs.readFileSync(path.resolve(import.meta.dirname, '../dist/web', script.slice(1)));
    const res = await fetch(server.url + script, { headers: { 'accept-encoding': 'gzip' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(res.headers.get('content-type')).toMatch(/^application\/javascript/);
    // fetch decodes the gzip body; it must be the built file byte for byte.
    expect(Buffer.from(await res.arrayBuffer()).equals(local)).toBe(true);
    const br = await fetch(server.url + script, { headers: { 'accept-encoding': 'br' } });
    expect(br.headers.get('content-encoding')).toBe('br');
  });

  it("posthog-js's bundles are served at /static/ where its HTML snippet and lazy extensions look for them", async () => {
    const dist = path.resolve(import.meta.dirname, '../node_modules/posthog-js/dist');
    for (const [pathname, file] of [
      ['/static/array.js', 'array.js'],
      ['/static/recorder.js?v=1.449.2', 'recorder.js'],
      ['/static/1.449.2/surveys.js', 'surveys.js'],
    ] as const) {
      const res = await fetch(server.url + pathname, { headers: { 'accept-encoding': 'gzip', origin: 'https://shop.example' } });
      expect(res.status, pathname).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/javascript; charset=utf-8');
      expect(res.headers.get('content-encoding')).toBe('gzip');
      expect(Buffer.from(await res.arrayBuffer()).equals(fs.readFileSync(path.join(dist, file))), pathname).toBe(true);
    }
    const first = await fetch(`${server.url}/static/array.js`);
    const again = await fetch(`${server.url}/static/array.js`, { headers: { 'if-none-match': first.headers.get('etag')! } });
    expect(again.status).toBe(304);
    // Only bundle names: no other file of the package, no path tricks.
    for (const pathname of ['/static/nothing.js', '/static/package.json', '/static/..%2Fpackage.json', '/static/array.js.map', '/static/a/b/array.js']) {
      const res = await fetch(server.url + pathname, { headers: { accept: 'text/html' } });
      expect(res.status, pathname).toBe(404);
      expect(((await res.json()) as { code: string }).code).toBe('not_found');
    }
  });
});
