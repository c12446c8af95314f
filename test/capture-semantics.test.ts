import zlib from 'node:zlib';
import LZString from 'lz-string';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allEvents, capture, createProject, type ApiEvent } from './helpers/api.js';
import { startServer, type TestServer } from './helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server?.dispose());

/** Each test gets its own project, so assertions see only their own events. */
async function project(name: string) {
  return createProject(server, name);
}

async function only(projectId: number): Promise<ApiEvent> {
  const events = await allEvents(server, projectId);
  expect(events).toHaveLength(1);
  return events[0]!;
}

describe('body encodings', () => {
  const json = (token: string, event = 'enc') => JSON.stringify({ api_key: token, batch: [{ event, distinct_id: 'd1', properties: { k: 'v' } }] });

  const cases: Array<[string, (token: string) => { path: string; body: RequestInit['body']; headers: Record<string, string>; method?: string }]> = [
    ['plain JSON', (t) => ({ path: '/batch/', body: json(t), headers: { 'content-type': 'application/json' } })],
    ['gzip by Content-Encoding header', (t) => ({ path: '/batch/', body: zlib.gzipSync(json(t)), headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } })],
    ['gzip by query flag', (t) => ({ path: '/e/?compression=gzip-js', body: zlib.gzipSync(json(t)), headers: { 'content-type': 'application/octet-stream' } })],
    ['gzip by magic bytes sent as text/plain', (t) => ({ path: '/e/', body: zlib.gzipSync(json(t)), headers: { 'content-type': 'text/plain' } })],
    ['lz64 by query flag', (t) => ({ path: '/e/?compression=lz64', body: LZString.compressToBase64(json(t)), headers: { 'content-type': 'text/plain' } })],
    ['lz64 in a form', (t) => ({ path: '/e/', body: new URLSearchParams({ data: LZString.compressToBase64(json(t)), compression: 'lz64' }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } })],
    ['base64 by query flag', (t) => ({ path: '/i/v0/e/?compression=base64', body: Buffer.from(json(t)).toString('base64'), headers: { 'content-type': 'text/plain' } })],
    ['base64 without a hint', (t) => ({ path: '/capture/', body: Buffer.from(json(t)).toString('base64'), headers: { 'content-type': 'text/plain' } })],
    ['form data= base64', (t) => ({ path: '/e/?compression=base64', body: 'data=' + encodeURIComponent(Buffer.from(json(t)).toString('base64')), headers: { 'content-type': 'application/x-www-form-urlencoded' } })],
    ['form data= with + turned into spaces', (t) => ({ path: '/track', body: 'data=' + Buffer.from(json(t) + '  >>>').toString('base64').replace(/\+/g, ' '), headers: { 'content-type': 'application/x-www-form-urlencoded' } })],
    ['GET with data= query', (t) => ({ path: '/e/?data=' + encodeURIComponent(Buffer.from(json(t)).toString('base64')), body: '', headers: {}, method: 'GET' })],
  ];

  it.each(cases)('%s', async (name, make) => {
    const p = await project(`enc ${name}`);
    let req = make(p.api_token);
    if (name.includes('spaces')) {
      // Make sure the base64 really contains a '+' so the restore path is exercised.
      const payload = JSON.stringify({ api_key: p.api_token, batch: [{ event: 'enc', distinct_id: 'd1', properties: { k: 'v', pad: '>>>?' } }] });
      const b64 = Buffer.from(payload).toString('base64');
      expect(b64).toContain('+');
      req = { ...req, body: 'data=' + b64.replace(/\+/g, ' ') };
    }
    const res = await capture(server, req.path, req.body, req.headers, req.method);
    expect(res.status).toBe(200);
    expect(res.text).toBe('{"status":1}');
    const e = await only(p.id);
    expect(e.event).toBe('enc');
    expect(e.properties.k).toBe('v');
  });
});

describe('body shapes and tokens', () => {
  it('accepts a single event with the token in properties', async () => {
    const p = await project('single');
    const res = await capture(server, '/e', JSON.stringify({ event: 'one', properties: { token: p.api_token, distinct_id: 'x' } }));
    expect(res.status).toBe(200);
    expect((await only(p.id)).distinct_id).toBe('x');
  });

  it('accepts a bare array with top-level tokens and $token', async () => {
    const p = await project('array');
    const res = await capture(
      server,
      '/e/',
      JSON.stringify([
        { event: 'a', distinct_id: 'x', token: p.api_token },
        { event: 'b', distinct_id: 'x', $token: p.api_token },
      ]),
    );
    expect(res.status).toBe(200);
    expect((await allEvents(server, p.id)).map((e) => e.event).sort()).toEqual(['a', 'b']);
  });

  it('accepts {token, batch} as well as {api_key, batch}', async () => {
    const p = await project('token-batch');
    const res = await capture(server, '/batch', JSON.stringify({ token: p.api_token, batch: [{ event: 't', distinct_id: 'x' }] }));
    expect(res.status).toBe(200);
    await only(p.id);
  });

  it('the batch-level key wins over per-event tokens', async () => {
    const p = await project('batch-wins');
    const res = await capture(server, '/batch', JSON.stringify({ api_key: p.api_token, batch: [{ event: 't', distinct_id: 'x', properties: { token: 'phc_other' } }] }));
    expect(res.status).toBe(200);
    await only(p.id);
  });

  it('/engage/ fills a missing event name with $identify', async () => {
    const p = await project('engage');
    const res = await capture(server, '/engage/', JSON.stringify({ token: p.api_token, distinct_id: 'x', $set: { name: 'N' } }));
    expect(res.status).toBe(200);
    const e = await only(p.id);
    expect(e.event).toBe('$identify');
    expect(e.properties.$set).toEqual({ name: 'N' });
  });

  it('every endpoint answers with and without a trailing slash', async () => {
    const p = await project('paths');
    const paths = ['/e', '/e/', '/i/v0/e', '/i/v0/e/', '/capture', '/capture/', '/track', '/track/', '/engage', '/engage/', '/batch', '/batch/'];
    for (const path of paths) {
      const res = await capture(server, path, JSON.stringify({ api_key: p.api_token, batch: [{ event: `path ${path}`, distinct_id: 'x' }] }));
      expect({ path, status: res.status }).toEqual({ path, status: 200 });
    }
    expect((await allEvents(server, p.id)).length).toBe(paths.length);
  });

  it('beacon=1 gets 204 and still stores the event', async () => {
    const p = await project('beacon');
    const res = await capture(server, '/e/?beacon=1', JSON.stringify({ api_key: p.api_token, batch: [{ event: 'leave', distinct_id: 'x' }] }));
    expect(res.status).toBe(204);
    await only(p.id);
  });
});

describe('event fields', () => {
  async function send(token: string, event: Record<string, unknown>, extra: Record<string, unknown> = {}, path = '/batch/') {
    const res = await capture(server, path, JSON.stringify({ api_key: token, batch: [event], ...extra }));
    expect(res.status, res.text).toBe(200);
  }

  it('distinct ids: top-level wins over properties, numbers and objects are stringified, long ids truncated to 200', async () => {
    const p = await project('distinct');
    await send(p.api_token, { event: 'a', distinct_id: 'top', properties: { distinct_id: 'inner' } });
    await send(p.api_token, { event: 'b', $distinct_id: 'dollar' });
    await send(p.api_token, { event: 'c', distinct_id: 123 });
    await send(p.api_token, { event: 'd', distinct_id: { a: 1 } });
    await send(p.api_token, { event: 'e', distinct_id: 'x'.repeat(300) });
    await send(p.api_token, { event: 'f', distinct_id: 'nul\u0000byte' });
    const byEvent = Object.fromEntries((await allEvents(server, p.id)).map((e) => [e.event, e.distinct_id]));
    expect(byEvent).toEqual({ a: 'top', b: 'dollar', c: '123', d: '{"a":1}', e: 'x'.repeat(200), f: 'nul\uFFFDbyte' });
  });

  it('generates a UUIDv7 when uuid is absent and keeps a given one (lowercased)', async () => {
    const p = await project('uuid');
    await send(p.api_token, { event: 'gen', distinct_id: 'x' });
    await send(p.api_token, { event: 'given', distinct_id: 'x', uuid: 'A1B2C3D4-0000-4000-8000-00000000000F' });
    const events = await allEvents(server, p.id);
    expect(events.find((e) => e.event === 'gen')!.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(events.find((e) => e.event === 'given')!.id).toBe('a1b2c3d4-0000-4000-8000-00000000000f');
  });

  it('a retry with the same uuid is counted once', async () => {
    const p = await project('retry');
    const event = { event: 'dup', distinct_id: 'x', uuid: '01a1f9d0-0000-7000-8000-000000000001', properties: { n: 1 } };
    for (let i = 0; i < 3; i++) await send(p.api_token, event, { sent_at: new Date().toISOString() });
    await only(p.id);
  });

  it('sent_at corrects client clock skew; $ignore_sent_at turns the correction off', async () => {
    const p = await project('skew');
    const skewMs = 3_600_000; // client clock one hour ahead
    const clientNow = Date.now() + skewMs;
    const ts = new Date(clientNow - 10_000).toISOString();
    await send(p.api_token, { event: 'corrected', distinct_id: 'x', timestamp: ts }, { sent_at: new Date(clientNow).toISOString() });
    await send(p.api_token, { event: 'ignored', distinct_id: 'x', timestamp: ts, properties: { $ignore_sent_at: true } }, { sent_at: new Date(clientNow).toISOString() });
    const events = await allEvents(server, p.id);
    const corrected = Date.parse(events.find((e) => e.event === 'corrected')!.timestamp);
    expect(Math.abs(corrected - (Date.now() - 10_000))).toBeLessThan(5_000);
    expect(Date.parse(events.find((e) => e.event === 'ignored')!.timestamp)).toBe(Date.parse(ts));
    expect(events.find((e) => e.event === 'corrected')!.properties.$sent_at).toBe(new Date(clientNow).toISOString());
  });

  it('legacy `_` query parameter (ms) acts as sent_at', async () => {
    const p = await project('underscore');
    const clientNow = Date.now() - 7_200_000; // client clock two hours behind
    const ts = new Date(clientNow - 1_000).toISOString();
    await send(p.api_token, { event: 'q', distinct_id: 'x', timestamp: ts }, {}, `/e/?_=${clientNow}`);
    const e = await only(p.id);
    expect(Math.abs(Date.parse(e.timestamp) - (Date.now() - 1_000))).toBeLessThan(5_000);
  });

  it('offset (ms before now) overrides timestamp', async () => {
    const p = await project('offset');
    await send(p.api_token, { event: 'o', distinct_id: 'x', offset: 60_000, timestamp: '2020-01-01T00:00:00Z' });
    const e = await only(p.id);
    expect(Math.abs(Date.parse(e.timestamp) - (Date.now() - 60_000))).toBeLessThan(5_000);
  });

  it('timestamps more than 23 h in the future are clamped to now; other formats parse', async () => {
    const p = await project('future');
    await send(p.api_token, { event: 'future', distinct_id: 'x', timestamp: new Date(Date.now() + 48 * 3600_000).toISOString() });
    await send(p.api_token, { event: 'date-only', distinct_id: 'x', timestamp: '2026-03-04' });
    await send(p.api_token, { event: 'space', distinct_id: 'x', timestamp: '2026-03-04 05:06:07' });
    await send(p.api_token, { event: 'offset-zone', distinct_id: 'x', timestamp: '2026-03-04T05:06:07+02:00' });
    await send(p.api_token, { event: 'epoch-s', distinct_id: 'x', timestamp: 1772600767 });
    await send(p.api_token, { event: 'epoch-ms', distinct_id: 'x', timestamp: 1772600767123 });
    const byEvent = Object.fromEntries((await allEvents(server, p.id)).map((e) => [e.event, Date.parse(e.timestamp)]));
    expect(Math.abs(byEvent.future! - Date.now())).toBeLessThan(5_000);
    expect(byEvent['date-only']).toBe(Date.parse('2026-03-04T00:00:00Z'));
    expect(byEvent.space).toBe(Date.parse('2026-03-04T05:06:07Z'));
    expect(byEvent['offset-zone']).toBe(Date.parse('2026-03-04T03:06:07Z'));
    expect(byEvent['epoch-s']).toBe(1772600767000);
    expect(byEvent['epoch-ms']).toBe(1772600767123);
  });

  it('top-level $set/$set_once merge into properties and win over the same keys', async () => {
    const p = await project('set');
    await send(p.api_token, {
      event: '$set',
      distinct_id: 'x',
      properties: { $set: { a: 'inner', b: 'inner' }, $unset: ['gone'] },
      $set: { a: 'top' },
      $set_once: { first: 1 },
    });
    const e = await only(p.id);
    expect(e.properties.$set).toEqual({ a: 'top', b: 'inner' });
    expect(e.properties.$set_once).toEqual({ first: 1 });
    expect(e.properties.$unset).toEqual(['gone']);
  });

  it('$ip comes from the connection unless the event has one; session ids are lowercased', async () => {
    const p = await project('ip');
    await send(p.api_token, { event: 'conn', distinct_id: 'x', properties: { $session_id: '01A1F9D0-0000-7000-8000-0000000000AA' } });
    await send(p.api_token, { event: 'given', distinct_id: 'x', properties: { $ip: '203.0.113.9' } });
    const res = await capture(server, '/batch', JSON.stringify({ api_key: p.api_token, batch: [{ event: 'spoof', distinct_id: 'x' }] }), {
      'content-type': 'application/json',
      'x-forwarded-for': '198.51.100.7',
    });
    expect(res.status).toBe(200);
    const byEvent = Object.fromEntries((await allEvents(server, p.id)).map((e) => [e.event, e.properties]));
    expect(byEvent.conn!.$ip).toBe('127.0.0.1');
    expect(byEvent.conn!.$session_id).toBe('01a1f9d0-0000-7000-8000-0000000000aa');
    expect(byEvent.given!.$ip).toBe('203.0.113.9');
    // No trusted proxy is configured, so X-Forwarded-For is not believed.
    expect(byEvent.spoof!.$ip).toBe('127.0.0.1');
  });

  it('legacy $elements arrays become an elements_chain', async () => {
    const p = await project('elements');
    await send(p.api_token, {
      event: '$autocapture',
      distinct_id: 'x',
      properties: {
        $elements: [
          { tag_name: 'button', $el_text: 'Buy "now"', classes: ['btn', 'primary'], attr__class: 'btn primary', nth_child: 2, nth_of_type: 1, attr__id: 'buy' },
          { tag_name: 'div', nth_child: 1, nth_of_type: 1 },
        ],
      },
    });
    const e = await only(p.id);
    expect(e.elements_chain).toBe(
      'button.btn.primary:attr__class="btn primary"attr__id="buy"attr_id="buy"nth-child="2"nth-of-type="1"text="Buy \\"now\\"";div:nth-child="1"nth-of-type="1"',
    );
    expect(e.properties.$elements).toBeUndefined();
  });
});

describe('trusted proxies', () => {
  let proxied: TestServer;
  beforeAll(async () => {
    proxied = await startServer({ HEDGEROW_TRUSTED_PROXIES: '127.0.0.1' });
  });
  afterAll(() => proxied?.dispose());

  it('takes $ip from X-Forwarded-For only when the proxy is trusted', async () => {
    const res = await capture(proxied, '/batch', JSON.stringify({ api_key: proxied.projectApiKey, batch: [{ event: 'via proxy', distinct_id: 'x' }] }), {
      'content-type': 'application/json',
      'x-forwarded-for': '198.51.100.7',
    });
    expect(res.status).toBe(200);
    const [e] = await allEvents(proxied, '@current');
    expect(e!.properties.$ip).toBe('198.51.100.7');
  });
});
