import { PostHog } from 'posthog-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allEvents, createProject } from './helpers/api.js';
import { startServer, type TestServer } from './helpers/server.js';

/** The real posthog-node from npm, unmodified, pointed at Hedgerow. */
describe('posthog-node sends events that land and read back', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server?.dispose());

  for (const disableCompression of [false, true]) {
    it(`capture, identify, alias, groups and person properties (${disableCompression ? 'plain JSON' : 'gzip'})`, async () => {
      const project = await createProject(server, `node-${disableCompression}`);
      const client = new PostHog(project.api_token, { host: server.url, flushAt: 100, flushInterval: 0, disableCompression });
      const failures: unknown[] = [];
      client.on('error', (err: unknown) => failures.push(err));

      const backfilled = new Date('2026-01-02T03:04:05.678Z');
      const explicitUuid = '01a1f9d0-1234-7abc-8def-0123456789ab';
      client.capture({
        distinctId: 'user-1',
        event: 'order placed',
        properties: { amount: 42.5, currency: 'EUR', items: ['a', 'b'], nested: { ok: true, n: null }, emoji: 'naïve 😀' },
      });
      client.capture({ distinctId: 'user-1', event: 'team event', groups: { company: 'acme' } });
      client.capture({ distinctId: 'user-1', event: 'backfilled event', timestamp: backfilled, uuid: explicitUuid });
      client.identify({ distinctId: 'user-1', properties: { $set: { email: 'u1@example.com' }, $set_once: { plan: 'free' } } });
      client.alias({ distinctId: 'user-1', alias: 'user-1-alias' });
      client.groupIdentify({ groupType: 'company', groupKey: 'acme', properties: { name: 'Acme' } });
      client.capture({ distinctId: 42 as unknown as string, event: 'numeric id' });
      await client.shutdown();
      expect(failures).toEqual([]);

      const events = await allEvents(server, project.id);
      const byName = new Map(events.map((e) => [e.event, e]));
      expect([...byName.keys()].sort()).toEqual(
        ['$create_alias', '$groupidentify', '$identify', 'backfilled event', 'numeric id', 'order placed', 'team event'].sort(),
      );

      const order = byName.get('order placed')!;
      expect(order.distinct_id).toBe('user-1');
      expect(order.properties).toMatchObject({
        amount: 42.5,
        currency: 'EUR',
        items: ['a', 'b'],
        nested: { ok: true, n: null },
        emoji: 'naïve 😀',
        $lib: 'posthog-node',
        $is_server: true,
        $ip: '127.0.0.1',
      });
      expect(Math.abs(Date.parse(order.timestamp) - Date.now())).toBeLessThan(60_000);
      expect(order.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/); // the SDK's uuidv7 kept

      expect(byName.get('team event')!.properties.$groups).toEqual({ company: 'acme' });
      const backfill = byName.get('backfilled event')!;
      expect(backfill.id).toBe(explicitUuid);
      // Skew correction moves a timestamp by at most the client/server clock difference (same machine: ~0).
      expect(Math.abs(Date.parse(backfill.timestamp) - backfilled.getTime())).toBeLessThan(5_000);
      expect(byName.get('$identify')!.properties).toMatchObject({ $set: { email: 'u1@example.com' }, $set_once: { plan: 'free' } });
      expect(byName.get('$create_alias')!.properties.alias).toBe('user-1-alias');
      expect(byName.get('$groupidentify')!.properties).toMatchObject({ $group_type: 'company', $group_key: 'acme', $group_set: { name: 'Acme' } });
      expect(byName.get('$groupidentify')!.distinct_id).toBe('$company_acme');
      expect(byName.get('numeric id')!.distinct_id).toBe('42');
    });
  }

  it('a burst larger than one batch arrives whole', async () => {
    const project = await createProject(server, 'node-burst');
    const client = new PostHog(project.api_token, { host: server.url, flushAt: 50, flushInterval: 0 });
    for (let i = 0; i < 1234; i++) client.capture({ distinctId: `u${i % 37}`, event: 'burst', properties: { i } });
    await client.shutdown();
    const events = await allEvents(server, project.id, 'event=burst');
    expect(events.length).toBe(1234);
    expect(new Set(events.map((e) => e.properties.i)).size).toBe(1234);
  });
});
