import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, createProject, sendBatch } from './helpers/api.js';
import { postQuery, waitForValue } from './helpers/query.js';
import { startServer, type TestServer } from './helpers/server.js';

/**
 * Experiments: PostHog's API on a multivariate flag, exposure from `$feature_flag_called`, and the
 * results of funnel and count metrics through `ExperimentQuery`. Per-variant numbers are derived by
 * hand from the events sent; the win probability is checked against Evan Miller's closed form.
 */
let server: TestServer;
let project: { id: number; api_token: string };

const HOUR = 3_600_000;
const started = Date.now() - 48 * HOUR;
const at = (hoursAfterStart: number) => new Date(started + hoursAfterStart * HOUR).toISOString();

interface ExperimentBody {
  id: number;
  feature_flag_key: string;
  feature_flag: { id: number; key: string; active: boolean; filters: { multivariate: { variants: { key: string; rollout_percentage: number }[] } } };
  status: string;
  start_date: string | null;
}

function send(method: string, path: string, body?: unknown) {
  return api<ExperimentBody & { detail: string; attr: string }>(server, path, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

const exposure = (id: string, variant: string, hours: number, key = 'checkout-test') => ({
  event: '$feature_flag_called',
  distinct_id: id,
  properties: { $feature_flag: key, $feature_flag_response: variant },
  timestamp: at(hours),
});
const event = (id: string, name: string, hours: number, properties: Record<string, unknown> = {}) => ({ event: name, distinct_id: id, properties, timestamp: at(hours) });

beforeAll(async () => {
  server = await startServer();
  project = await createProject(server, 'experiments');
});
afterAll(() => server?.dispose());

describe('experiments API', () => {
  it('creates the multivariate flag, inactive until launch, and activates it on launch', async () => {
    const created = await send('POST', `/api/projects/${project.id}/experiments/`, { name: 'New checkout', feature_flag_key: 'checkout-test' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ feature_flag_key: 'checkout-test', status: 'draft', start_date: null });
    expect(created.body.feature_flag.active).toBe(false);
    expect(created.body.feature_flag.filters.multivariate.variants.map((v) => v.key)).toEqual(['control', 'test']);
    const flag = await api<{ experiment_set: number[] }>(server, `/api/projects/${project.id}/feature_flags/${created.body.feature_flag.id}/`);
    expect(flag.body.experiment_set).toEqual([created.body.id]);

    const launched = await send('PATCH', `/api/projects/${project.id}/experiments/${created.body.id}/`, { start_date: new Date(started).toISOString() });
    expect(launched.status).toBe(200);
    expect(launched.body.status).toBe('running');
    expect(launched.body.feature_flag.active).toBe(true);
    // has_experiment reaches /flags metadata.
    const flags = await fetch(`${server.url}/flags/?v=2`, { method: 'POST', body: JSON.stringify({ token: project.api_token, distinct_id: 'someone' }) });
    const body = (await flags.json()) as { flags: Record<string, { variant: string; metadata: { has_experiment: boolean } }> };
    expect(body.flags['checkout-test']!.metadata.has_experiment).toBe(true);
    expect(['control', 'test']).toContain(body.flags['checkout-test']!.variant);
  });

  it('refuses bad definitions with clear errors', async () => {
    const base = `/api/projects/${project.id}/experiments/`;
    const noControl = await send('POST', base, { name: 'x', feature_flag_key: 'no-control', parameters: { feature_flag_variants: [{ key: 'a', rollout_percentage: 50 }, { key: 'b', rollout_percentage: 50 }] } });
    expect(noControl.status).toBe(400);
    expect(noControl.body.detail).toContain('control');
    const badSum = await send('POST', base, { name: 'x', feature_flag_key: 'bad-sum', parameters: { feature_flag_variants: [{ key: 'control', rollout_percentage: 50 }, { key: 'test', rollout_percentage: 20 }] } });
    expect(badSum.status).toBe(400);
    expect(badSum.body.detail).toContain('sum to 100');
    await api(server, `/api/projects/${project.id}/feature_flags/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key: 'plain-boolean', filters: { groups: [{ properties: [], rollout_percentage: 100 }] } }) });
    const boolean = await send('POST', base, { name: 'x', feature_flag_key: 'plain-boolean' });
    expect(boolean.status).toBe(400);
    expect(boolean.body.attr).toBe('feature_flag_key');
    expect((await send('POST', base, { feature_flag_key: 'no-name' })).status).toBe(400);
    const draft = await send('POST', base, { name: 'draft', feature_flag_key: 'draft-test' });
    const q = await postQuery<{ detail: string }>(server, project.id, { kind: 'ExperimentQuery', experiment_id: draft.body.id, metric: { kind: 'ExperimentMetric', metric_type: 'mean', source: { kind: 'EventsNode', event: 'x' } } });
    expect(q.status).toBe(400);
    expect(q.body.detail).toContain('not started');
    const other = await createProject(server, 'other');
    expect((await api(server, `/api/projects/${other.id}/experiments/${draft.body.id}/`)).status).toBe(404);
  });
});

describe('results', () => {
  let experimentId: number;

  beforeAll(async () => {
    const created = await send('POST', `/api/projects/${project.id}/experiments/`, {
      name: 'Results',
      feature_flag_key: 'results-test',
      start_date: new Date(started).toISOString(),
    });
    experimentId = created.body.id;
    const events = [
      // control: c1 buys twice after exposure (one purchase before exposure does not count), c2 views only, c3 nothing.
      event('c1', 'purchase', 0.5, { amount: 5 }),
      exposure('c1', 'control', 1, 'results-test'),
      event('c1', 'checkout_started', 2),
      event('c1', 'purchase', 3, { amount: 10 }),
      event('c1', 'purchase', 4, { amount: 20 }),
      exposure('c2', 'control', 1, 'results-test'),
      event('c2', 'checkout_started', 2),
      exposure('c3', 'control', 1, 'results-test'),
      // test: t1 buys once, t2 buys three times, t3 purchase without checkout_started (funnel: not converted).
      exposure('t1', 'test', 1, 'results-test'),
      event('t1', 'checkout_started', 2),
      event('t1', 'purchase', 3, { amount: 7 }),
      exposure('t2', 'test', 1, 'results-test'),
      exposure('t2', 'test', 5, 'results-test'),
      event('t2', 'checkout_started', 6),
      event('t2', 'purchase', 7, { amount: 1 }),
      event('t2', 'purchase', 8, { amount: 1 }),
      event('t2', 'purchase', 9, { amount: 1 }),
      exposure('t3', 'test', 1, 'results-test'),
      event('t3', 'purchase', 2, { amount: 50 }),
      // m saw both variants: excluded from both.
      exposure('m', 'control', 1, 'results-test'),
      exposure('m', 'test', 2, 'results-test'),
      event('m', 'purchase', 3, { amount: 100 }),
      // another flag's exposure is not this experiment's.
      exposure('x', 'test', 1, 'other-flag'),
    ];
    await sendBatch(server, project.api_token, events);
    await waitForValue(server, project.id, "SELECT count() FROM events WHERE event IN ('purchase', '$feature_flag_called', 'checkout_started')", events.length);
  });

  const run = (metric: Record<string, unknown>) =>
    postQuery<{
      baseline: { key: string; number_of_samples: number; sum: number; sum_squares: number };
      variant_results: { key: string; number_of_samples: number; sum: number; sum_squares: number; chance_to_win?: number; credible_interval?: [number, number] }[];
      probability: Record<string, number>;
      significance_code: string;
      significant: boolean;
      credible_intervals: Record<string, [number, number]>;
      detail?: string;
    }>(server, project.id, { kind: 'ExperimentQuery', experiment_id: experimentId, metric: { kind: 'ExperimentMetric', ...metric } });

  it('counts metric events per exposed user after exposure (mean of a count)', async () => {
    const res = await run({ metric_type: 'mean', source: { kind: 'EventsNode', event: 'purchase', math: 'total' } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    // control: c1 2, c2 0, c3 0 → n 3, sum 2, squares 4. test: t1 1, t2 3, t3 1 → n 3, sum 5, squares 11.
    expect(res.body.baseline).toMatchObject({ key: 'control', number_of_samples: 3, sum: 2, sum_squares: 4 });
    expect(res.body.variant_results[0]).toMatchObject({ key: 'test', number_of_samples: 3, sum: 5, sum_squares: 11 });
    // Fewer than 100 exposures per variant: PostHog's legacy rule says not enough exposure.
    expect(res.body.significance_code).toBe('not_enough_exposure');
    expect(res.body.significant).toBe(false);
  });

  it('sums a property (mean of a sum)', async () => {
    const res = await run({ metric_type: 'mean', source: { kind: 'EventsNode', event: 'purchase', math: 'sum', math_property: 'amount' } });
    // control: c1 30 → sum 30, squares 900. test: 7, 3, 50 → sum 60, squares 49 + 9 + 2500.
    expect(res.body.baseline).toMatchObject({ number_of_samples: 3, sum: 30, sum_squares: 900 });
    expect(res.body.variant_results[0]).toMatchObject({ number_of_samples: 3, sum: 60, sum_squares: 2558 });
  });

  it('converts a funnel after exposure, in order', async () => {
    const res = await run({
      metric_type: 'funnel',
      series: [
        { kind: 'EventsNode', event: 'checkout_started' },
        { kind: 'EventsNode', event: 'purchase' },
      ],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    // control: c1 converts, c2 stops at step 1, c3 nothing. test: t1 and t2 convert, t3 skips step 1.
    expect(res.body.baseline).toMatchObject({ number_of_samples: 3, sum: 1 });
    expect(res.body.variant_results[0]).toMatchObject({ number_of_samples: 3, sum: 2 });
    const p = res.body.probability;
    expect(p.control! + p.test!).toBeCloseTo(1, 6);
  });

  it('gives PostHog’s Bayesian win probability on a larger experiment', async () => {
    const created = await send('POST', `/api/projects/${project.id}/experiments/`, { name: 'Large', feature_flag_key: 'large-test', start_date: new Date(started).toISOString() });
    const events: Record<string, unknown>[] = [];
    // 150 users per arm; control converts 30, test 60.
    for (let i = 0; i < 150; i++) {
      events.push(exposure(`lc${i}`, 'control', 1, 'large-test'), exposure(`lt${i}`, 'test', 1, 'large-test'));
      if (i < 30) events.push(event(`lc${i}`, 'signed_up', 2));
      if (i < 60) events.push(event(`lt${i}`, 'signed_up', 2));
    }
    await sendBatch(server, project.api_token, events);
    await waitForValue(server, project.id, "SELECT count() FROM events WHERE distinct_id LIKE 'l%' AND distinct_id NOT LIKE 'large%'", events.length);
    const res = await postQuery<{
      probability: Record<string, number>;
      significance_code: string;
      credible_intervals: Record<string, [number, number]>;
      variant_results: { chance_to_win: number; significant: boolean }[];
    }>(server, project.id, { kind: 'ExperimentQuery', experiment_id: created.body.id, metric: { kind: 'ExperimentMetric', metric_type: 'funnel', series: [{ kind: 'EventsNode', event: 'signed_up' }] } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    // P(test > control) for Beta(61, 91) vs Beta(31, 121), Evan Miller's closed form.
    expect(res.body.probability.test).toBeCloseTo(probBBeatsA(31, 121, 61, 91), 3);
    expect(res.body.significance_code).toBe('significant');
    // Posterior Beta(31, 121): mean 31/152; the 95% interval brackets it.
    const [lo, hi] = res.body.credible_intervals.control!;
    expect(lo).toBeLessThan(31 / 152);
    expect(hi).toBeGreaterThan(31 / 152);
    expect(res.body.variant_results[0]!.chance_to_win).toBeGreaterThan(0.99);
    expect(res.body.variant_results[0]!.significant).toBe(true);
  });
});

/** log Γ by Lanczos (g = 7), enough for the closed form below. */
function logGamma(x: number): number {
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  x -= 1;
  let a = c[0]!;
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}
const logBeta = (a: number, b: number) => logGamma(a) + logGamma(b) - logGamma(a + b);

/** P(p_B > p_A) for p_A ~ Beta(aA, bA), p_B ~ Beta(aB, bB) (Evan Miller, integer aB). */
function probBBeatsA(aA: number, bA: number, aB: number, bB: number): number {
  let total = 0;
  for (let i = 0; i < aB; i++) total += Math.exp(logBeta(aA + i, bA + bB) - Math.log(bB + i) - logBeta(1 + i, bB) - logBeta(aA, bA));
  return total;
}
