import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allEvents, capture, createProject } from './helpers/api.js';
import { startServer, type TestServer } from './helpers/server.js';

/**
 * Bad input gets a 4xx JSON error naming what is wrong; the request stores nothing; the server
 * keeps serving; nothing accepted earlier is lost.
 */
let server: TestServer;
let token: string;
let projectId: number;
let accepted = 0;

beforeAll(async () => {
  server = await startServer();
  const p = await createProject(server, 'bad input');
  token = p.api_token;
  projectId = p.id;
});
afterAll(() => server?.dispose());

async function good(): Promise<void> {
  const res = await capture(server, '/batch/', JSON.stringify({ api_key: token, batch: [{ event: 'good', distinct_id: 'g', properties: { n: accepted } }] }));
  expect(res.status).toBe(200);
  accepted++;
}

const json = { 'content-type': 'application/json' };
const batch = (events: unknown[]) => JSON.stringify({ api_key: token, batch: events });
const MB = 1024 * 1024;

type Case = [name: string, status: number, code: string, detail: RegExp, send: () => Promise<{ status: number; body: any }>];

const cases: Case[] = [
  ['empty body', 400, 'empty_payload', /no body/, () => capture(server, '/e/', '', json)],
  ['malformed JSON', 400, 'request_parsing_error', /not valid JSON/, () => capture(server, '/batch/', '{"api_key": "x", "batch": [', json)],
  ['JSON that is not an event', 400, 'request_parsing_error', /event object/, () => capture(server, '/batch/', '42', json)],
  ['batch that is not an array', 400, 'request_parsing_error', /"batch" must be an array/, () => capture(server, '/batch/', JSON.stringify({ api_key: token, batch: {} }), json)],
  ['empty batch', 400, 'empty_batch', /no events/, () => capture(server, '/batch/', batch([]), json)],
  ['event that is not an object', 400, 'invalid_event', /event 1 is not a JSON object/, () => capture(server, '/batch/', batch([{ event: 'a', distinct_id: 'x' }, 'nope']), json)],
  ['gzip magic bytes then garbage', 400, 'request_decoding_error', /not valid gzip/, () => capture(server, '/e/', Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6]), { 'content-type': 'text/plain' })],
  ['Content-Encoding gzip on a plain body', 400, 'request_decoding_error', /not valid gzip/, () => capture(server, '/batch/', batch([{ event: 'a', distinct_id: 'x' }]), { ...json, 'content-encoding': 'gzip' })],
  ['truncated gzip', 400, 'request_decoding_error', /not valid gzip/, () => capture(server, '/batch/', zlib.gzipSync(batch([{ event: 'a', distinct_id: 'x' }])).subarray(0, 30), { ...json, 'content-encoding': 'gzip' })],
  ['malformed base64', 400, 'request_decoding_error', /not valid base64/, () => capture(server, '/e/?compression=base64', '!!!not*base64', { 'content-type': 'text/plain' })],
  ['malformed lz64', 400, 'request_decoding_error', /not valid lz64/, () => capture(server, '/e/?compression=lz64', '@@@@', { 'content-type': 'text/plain' })],
  ['form without data=', 400, 'request_decoding_error', /no data= field/, () => capture(server, '/e/', 'foo=bar', { 'content-type': 'application/x-www-form-urlencoded' })],
  ['missing token', 401, 'ingest_key_required', /no project API key/, () => capture(server, '/batch/', JSON.stringify({ batch: [{ event: 'a', distinct_id: 'x' }] }), json)],
  ['unknown token', 403, 'ingest_key_unknown', /not valid for any project/, () => capture(server, '/batch/', JSON.stringify({ api_key: 'phc_doesnotexist', batch: [{ event: 'a', distinct_id: 'x' }] }), json)],
  ['personal key used as a token', 403, 'ingest_key_unknown', /personal API key/, () => capture(server, '/batch/', JSON.stringify({ api_key: server.personalApiKey, batch: [{ event: 'a', distinct_id: 'x' }] }), json)],
  ['events with different tokens', 400, 'unroutable_events', /different project tokens/, () => capture(server, '/e/', JSON.stringify([{ event: 'a', distinct_id: 'x', token }, { event: 'b', distinct_id: 'x', token: 'phc_other' }]), json)],
  ['missing event name', 400, 'missing_event_name', /event 0 has no event name/, () => capture(server, '/batch/', batch([{ distinct_id: 'x' }]), json)],
  ['missing distinct_id', 400, 'missing_distinct_id', /event 1 has no distinct_id/, () => capture(server, '/batch/', batch([{ event: 'a', distinct_id: 'x' }, { event: 'b' }]), json)],
  ['blank distinct_id', 400, 'missing_distinct_id', /has no distinct_id/, () => capture(server, '/batch/', batch([{ event: 'a', distinct_id: '   ' }]), json)],
  ['invalid uuid', 400, 'invalid_event', /uuid "not-a-uuid" is not a valid UUID/, () => capture(server, '/batch/', batch([{ event: 'a', distinct_id: 'x', uuid: 'not-a-uuid' }]), json)],
  ['invalid timestamp', 400, 'invalid_timestamp', /timestamp "yesterday-ish" is not a date-time/, () => capture(server, '/batch/', batch([{ event: 'a', distinct_id: 'x', timestamp: 'yesterday-ish' }]), json)],
  ['impossible date', 400, 'invalid_timestamp', /not a date-time/, () => capture(server, '/batch/', batch([{ event: 'a', distinct_id: 'x', timestamp: '2026-02-31T10:00:00Z' }]), json)],
  ['non-numeric offset', 400, 'invalid_timestamp', /offset must be a number/, () => capture(server, '/batch/', batch([{ event: 'a', distinct_id: 'x', offset: '10' }]), json)],
  ['properties that are not an object', 400, 'invalid_event', /"properties" must be an object/, () => capture(server, '/batch/', batch([{ event: 'a', distinct_id: 'x', properties: [1, 2] }]), json)],
  ['non-boolean $cookieless_mode', 400, 'invalid_cookieless_mode', /\$cookieless_mode must be true or false/, () => capture(server, '/batch/', batch([{ event: 'a', distinct_id: 'x', properties: { $cookieless_mode: 'yes' } }]), json)],
  ['deeply nested properties', 400, 'invalid_event', /nested deeper than 64 levels/, () => {
    const deep = '{"d":'.repeat(5000) + '"bottom"' + '}'.repeat(5000);
    return capture(server, '/batch/', `{"api_key":"${token}","batch":[{"event":"a","distinct_id":"x","properties":${deep}}]}`, json);
  }],
  ['one event over 1 MB', 413, 'payload_too_large', /limit per event/, () => capture(server, '/batch/', batch([{ event: 'a', distinct_id: 'x', properties: { big: 'x'.repeat(1.5 * MB) } }]), json)],
  ['body over 2 MB on /e/', 413, 'payload_too_large', /exceeds the limit/, () => capture(server, '/e/', batch([{ event: 'a', distinct_id: 'x', properties: { big: 'x'.repeat(2.5 * MB) } }]), json)],
  ['body over 20 MB on /batch/', 413, 'payload_too_large', /exceeds the limit/, () => capture(server, '/batch/', batch(Array.from({ length: 25 }, () => ({ event: 'a', distinct_id: 'x', properties: { big: 'x'.repeat(0.9 * MB) } }))), json)],
  ['gzip bomb (100 MB of zeros)', 413, 'payload_too_large', /decoded payload exceeds/, () => capture(server, '/e/', zlib.gzipSync(Buffer.alloc(100 * MB, 0x20)), { 'content-type': 'text/plain' })],
  ['gzip bomb on /batch/ (a JSON batch inflating past 20 MB)', 413, 'payload_too_large', /decoded payload exceeds/, () => {
    const inflated = batch([{ event: 'a', distinct_id: 'x', properties: { pad: 'y'.repeat(30 * MB) } }]);
    return capture(server, '/batch/', zlib.gzipSync(inflated), { ...json, 'content-encoding': 'gzip' });
  }],
];

describe('bad input is refused with a JSON error naming the problem', () => {
  it.each(cases)('%s → %i %s', async (_name, status, code, detail, send) => {
    await good();
    const res = await send();
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ code });
    expect(res.body.detail).toMatch(detail);
    expect(typeof res.body.type).toBe('string');
    await good();
  });

  it('stored nothing from the bad requests and kept everything accepted', async () => {
    const events = await allEvents(server, projectId);
    expect(events.every((e) => e.event === 'good')).toBe(true);
    expect(events.length).toBe(accepted);
    expect(new Set(events.map((e) => e.properties.n)).size).toBe(accepted);
    const health = await fetch(server.url + '/_health');
    expect(health.status).toBe(200);
  });

  it('a lone surrogate or NUL in names is cleaned, not fatal, and does not break neighbours', async () => {
    const p = await createProject(server, 'unicode');
    const bad = { api_key: p.api_token, batch: [{ event: 'odd\ud800name', distinct_id: 'nul\u0000id', properties: { s: '\udfff' } }] };
    const [a, b] = await Promise.all([
      capture(server, '/batch/', JSON.stringify(bad), json),
      capture(server, '/batch/', JSON.stringify({ api_key: p.api_token, batch: [{ event: 'neighbour', distinct_id: 'n' }] }), json),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const names = (await allEvents(server, p.id)).map((e) => e.event).sort();
    expect(names).toEqual(['neighbour', 'odd\uFFFDname']);
  });

  it('unknown routes and methods get JSON 404s', async () => {
    const res = await capture(server, '/nope', '', {}, 'GET');
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('not_found');
  });
});
