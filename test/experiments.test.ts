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

interface ExposureAnswer {
  kind: string;
  timeseries: { variant: string; days: string[]; exposure_counts: number[] }[];
  total_exposures: Record<string, number>;
  date_range: { date_from: string; date_to: string | null };
  detail?: string;
  attr?: string;
}

describe('ExperimentExposureQuery: exposures over time', () => {
  // New York in early March 2024 is UTC−5 (DST starts on the 10th), so local days are easy to reason about.
  let ny: { id: number; api_token: string };
  let experimentId: number;
  const local = (day: number, time: string) => `2024-03-0${day}T${time}-05:00`;
  const flagCall = (id: string, variant: string, when: string, key = 'exposure-days') => ({
    event: '$feature_flag_called',
    distinct_id: id,
    properties: { $feature_flag: key, $feature_flag_response: variant },
    timestamp: new Date(when).toISOString(),
  });
  const exposuresOf = (id: number, extra: Record<string, unknown> = {}, projectId = ny.id) => postQuery<ExposureAnswer>(server, projectId, { kind: 'ExperimentExposureQuery', experiment_id: id, ...extra });
  const inNy = (method: string, path: string, body?: unknown) =>
    api<ExperimentBody & { detail: string; attr: string; conclusion: string | null; conclusion_comment: string | null; end_date: string | null; archived: boolean }>(server, `/api/projects/${ny.id}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  beforeAll(async () => {
    const res = await api<{ id: number; api_token: string }>(server, '/api/projects/', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'exposures ny', timezone: 'America/New_York' }) });
    ny = res.body;
    const created = await inNy('POST', '/experiments/', { name: 'Exposure days', feature_flag_key: 'exposure-days', start_date: local(4, '00:00:00'), end_date: local(6, '23:59:59') });
    experimentId = created.body.id;
    const events = [
      flagCall('early', 'control', local(3, '23:59:00')), // before the start: not exposed
      // Day 4: a1 and a2 see control; b1 sees test at 23:30 New York time (already the 5th in UTC).
      flagCall('a1', 'control', local(4, '09:00:00')),
      flagCall('a2', 'control', local(4, '10:00:00')),
      flagCall('b1', 'test', local(4, '23:30:00')),
      // Day 5: a3 (control) and b2 (test) are new; a1 again counts only on its first day; m sees control.
      flagCall('a3', 'control', local(5, '08:00:00')),
      flagCall('a1', 'control', local(5, '12:00:00')),
      flagCall('b2', 'test', local(5, '13:00:00')),
      flagCall('m', 'control', local(5, '14:00:00')),
      // Day 6: b3 is new; m now sees test, so m is in more than one variant (first seen on day 5).
      flagCall('b3', 'test', local(6, '07:00:00')),
      flagCall('m', 'test', local(6, '08:00:00')),
      // Not this experiment's exposures: a variant the flag does not have, another flag, after the end.
      flagCall('z', 'bogus', local(5, '09:00:00')),
      flagCall('o', 'test', local(5, '09:00:00'), 'another-flag'),
      flagCall('late', 'test', local(7, '00:30:00')),
    ];
    await sendBatch(server, ny.api_token, events);
    await waitForValue(server, ny.id, "SELECT count() FROM events WHERE event = '$feature_flag_called'", events.length);
  });

  it('counts each actor on the day of its first exposure, per variant, cumulatively, in the project timezone', async () => {
    const res = await exposuresOf(experimentId);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.kind).toBe('ExperimentExposureQueryResponse');
    const days = ['2024-03-04', '2024-03-05', '2024-03-06'];
    // control: a1, a2 (day 4), a3 (day 5). test: b1 (day 4 local), b2 (day 5), b3 (day 6).
    // m saw both variants: under the default `exclude` it is `$multiple`, on its first day (5).
    expect(res.body.timeseries).toEqual([
      { variant: 'control', days, exposure_counts: [2, 3, 3] },
      { variant: 'test', days, exposure_counts: [1, 2, 3] },
      { variant: '$multiple', days, exposure_counts: [0, 1, 1] },
    ]);
    expect(res.body.total_exposures).toEqual({ control: 3, test: 3, $multiple: 1 });
    expect(res.body.date_range).toMatchObject({ date_from: '2024-03-04T00:00:00.000-05:00', date_to: '2024-03-06T23:59:59.000-05:00' });
  });

  it('totals equal ExperimentQuery’s exposures (multi-variant actors left out of both variants)', async () => {
    const [exposures, results] = await Promise.all([
      exposuresOf(experimentId),
      postQuery<{ baseline: { key: string; number_of_samples: number }; variant_results: { key: string; number_of_samples: number }[] }>(server, ny.id, {
        kind: 'ExperimentQuery',
        experiment_id: experimentId,
        metric: { kind: 'ExperimentMetric', metric_type: 'mean', source: { kind: 'EventsNode', event: 'anything' } },
      }),
    ]);
    expect(results.status, JSON.stringify(results.body)).toBe(200);
    for (const v of [results.body.baseline, ...results.body.variant_results]) expect(exposures.body.total_exposures[v.key]).toBe(v.number_of_samples);
  });

  it('under first_seen a multi-variant actor counts in its first variant, as ExperimentQuery counts it', async () => {
    const override = await exposuresOf(experimentId, { exposure_criteria: { multiple_variant_handling: 'first_seen' } });
    expect(override.body.timeseries.map((s) => [s.variant, s.exposure_counts])).toEqual([
      ['control', [2, 4, 4]],
      ['test', [1, 2, 3]],
    ]);
    // The same from the experiment's saved criteria, and ExperimentQuery agrees.
    await inNy('PATCH', `/experiments/${experimentId}/`, { exposure_criteria: { multiple_variant_handling: 'first_seen' } });
    const saved = await exposuresOf(experimentId);
    expect(saved.body.total_exposures).toEqual({ control: 4, test: 3 });
    const results = await postQuery<{ baseline: { number_of_samples: number }; variant_results: { number_of_samples: number }[] }>(server, ny.id, {
      kind: 'ExperimentQuery',
      experiment_id: experimentId,
      metric: { kind: 'ExperimentMetric', metric_type: 'mean', source: { kind: 'EventsNode', event: 'anything' } },
    });
    expect([results.body.baseline.number_of_samples, results.body.variant_results[0]!.number_of_samples]).toEqual([4, 3]);
    await inNy('PATCH', `/experiments/${experimentId}/`, { exposure_criteria: null });
  });

  it('a narrower window from the query counts only inside it', async () => {
    const res = await exposuresOf(experimentId, { start_date: local(5, '00:00:00'), end_date: local(5, '23:59:59') });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    // Day 5 alone: a3, a1 (its first exposure inside this window), b2, and m (one variant inside it).
    expect(res.body.timeseries).toEqual([
      { variant: 'control', days: ['2024-03-05'], exposure_counts: [3] },
      { variant: 'test', days: ['2024-03-05'], exposure_counts: [1] },
    ]);
  });

  it('refuses bad input with clear errors, and answers only for its own project', async () => {
    const unknown = await exposuresOf(999_999);
    expect(unknown.status).toBe(404);
    expect(unknown.body.detail).toContain('not found');
    const draft = await inNy('POST', '/experiments/', { name: 'Not launched', feature_flag_key: 'not-launched' });
    const notLaunched = await exposuresOf(draft.body.id);
    expect(notLaunched.status).toBe(400);
    expect(notLaunched.body.detail).toContain('not been launched');
    const badDate = await exposuresOf(experimentId, { start_date: 'last tuesday' });
    expect(badDate.status).toBe(400);
    expect(badDate.body.attr).toBe('start_date');
    const backwards = await exposuresOf(experimentId, { start_date: local(6, '00:00:00'), end_date: local(4, '00:00:00') });
    expect(backwards.status).toBe(400);
    expect(backwards.body.detail).toContain('before start_date');
    const noId = await postQuery<ExposureAnswer>(server, ny.id, { kind: 'ExperimentExposureQuery' });
    expect(noId.status).toBe(400);
    expect(noId.body.attr).toBe('query.experiment_id');
    const holdout = await exposuresOf(experimentId, { holdout: { id: 1 } });
    expect(holdout.status).toBe(400);
    expect(holdout.body.attr).toBe('holdout');
    const wrongFlag = await exposuresOf(experimentId, { feature_flag: { key: 'another-flag' } });
    expect(wrongFlag.status).toBe(400);
    // Another project cannot read this experiment's exposures, nor see its events under its own experiment.
    expect((await exposuresOf(experimentId, {}, project.id)).status).toBe(404);
  });
});

describe('experiment lifecycle: end with a conclusion, pause/resume, ship a variant, archive', () => {
  let experimentId: number;
  const path = (suffix = '') => `/api/projects/${project.id}/experiments/${experimentId}/${suffix}`;
  type Answer = ExperimentBody & { detail: string; attr: string; conclusion: string | null; conclusion_comment: string | null; end_date: string | null; archived: boolean };
  const call = (method: string, url: string, body?: unknown) =>
    api<Answer>(server, url, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const flagsFor = async (distinctId: string) => {
    const res = await fetch(`${server.url}/flags/?v=2`, { method: 'POST', body: JSON.stringify({ token: project.api_token, distinct_id: distinctId }) });
    return ((await res.json()) as { flags: Record<string, { enabled: boolean; variant: string | null }> }).flags['lifecycle-test'];
  };

  beforeAll(async () => {
    const created = await call('POST', `/api/projects/${project.id}/experiments/`, { name: 'Lifecycle', feature_flag_key: 'lifecycle-test', start_date: new Date(started).toISOString() });
    experimentId = created.body.id;
  });

  it('PATCH validates conclusion and takes a comment', async () => {
    const bad = await call('PATCH', path(), { conclusion: 'great' });
    expect(bad.status).toBe(400);
    expect(bad.body.attr).toBe('body.conclusion');
    expect(bad.body.detail).toContain('won, lost, inconclusive, stopped_early, invalid');
    const long = await call('PATCH', path(), { conclusion_comment: 'x'.repeat(4001) });
    expect(long.status).toBe(400);
    const ok = await call('PATCH', path(), { conclusion: 'inconclusive', conclusion_comment: 'draft note' });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ conclusion: 'inconclusive', conclusion_comment: 'draft note', status: 'running' });
    await call('PATCH', path(), { conclusion: null, conclusion_comment: null });
  });

  it('pause turns the flag off (no longer served) and resume turns it on again', async () => {
    expect((await flagsFor('someone'))?.enabled).toBe(true);
    const paused = await call('POST', path('pause/'));
    expect(paused.status, JSON.stringify(paused.body)).toBe(200);
    expect(paused.body.feature_flag.active).toBe(false);
    expect((await flagsFor('someone'))?.enabled ?? false).toBe(false);
    expect((await call('POST', path('pause/'))).body.detail).toBe('Experiment is already paused.');
    const resumed = await call('POST', path('resume/'));
    expect(resumed.body.feature_flag.active).toBe(true);
    expect((await flagsFor('someone'))?.enabled).toBe(true);
    expect((await call('POST', path('resume/'))).status).toBe(400);
  });

  it('archive needs an ended experiment', async () => {
    const early = await call('POST', path('archive/'));
    expect(early.status).toBe(400);
    expect(early.body.detail).toContain('must be ended');
  });

  it('end sets end_date and the conclusion; ending twice is refused', async () => {
    expect((await call('POST', path('end/'), { conclusion: 'maybe' })).status).toBe(400);
    const ended = await call('POST', path('end/'), { conclusion: 'stopped_early', conclusion_comment: 'Bug in the test variant' });
    expect(ended.status, JSON.stringify(ended.body)).toBe(200);
    expect(ended.body).toMatchObject({ status: 'stopped', conclusion: 'stopped_early', conclusion_comment: 'Bug in the test variant' });
    expect(Date.parse(ended.body.end_date!)).toBeGreaterThan(Date.now() - 60_000);
    // The flag is untouched: users keep their variants.
    expect(ended.body.feature_flag.filters.multivariate.variants.map((v) => v.rollout_percentage)).toEqual([50, 50]);
    expect((await call('POST', path('end/'))).body.detail).toBe('Experiment has already ended.');
    expect((await call('POST', path('pause/'))).status).toBe(400);
  });

  it('ship_variant gives the variant to everyone (a 100% condition first, old conditions kept) and records the conclusion', async () => {
    const missing = await call('POST', path('ship_variant/'), {});
    expect(missing.status).toBe(400);
    expect(missing.body.attr).toBe('body.variant_key');
    const unknown = await call('POST', path('ship_variant/'), { variant_key: 'nope' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.detail).toContain("Variant 'nope' not found");
    const before = (await call('GET', path())).body;
    const shipped = await call('POST', path('ship_variant/'), { variant_key: 'test', conclusion: 'won', conclusion_comment: 'Test wins', release_to_everyone: true });
    expect(shipped.status, JSON.stringify(shipped.body)).toBe(200);
    // Already ended: the end stays; the conclusion is the new one.
    expect(shipped.body).toMatchObject({ end_date: before.end_date, conclusion: 'won', conclusion_comment: 'Test wins' });
    const filters = shipped.body.feature_flag.filters as unknown as { multivariate: { variants: { key: string; rollout_percentage: number }[] }; groups: { rollout_percentage: number; description?: string }[] };
    expect(filters.multivariate.variants).toEqual([
      { key: 'control', rollout_percentage: 0 },
      { key: 'test', rollout_percentage: 100 },
    ]);
    expect(filters.groups).toHaveLength(2);
    expect(filters.groups[0]).toMatchObject({ rollout_percentage: 100, description: expect.stringContaining('keep only one variant') });
    for (const id of ['u1', 'u2', 'someone', 'another-person', 'x-42']) expect((await flagsFor(id))?.variant).toBe('test');
  });

  it('ship_variant ends a running experiment', async () => {
    const created = await call('POST', `/api/projects/${project.id}/experiments/`, { name: 'Ship running', feature_flag_key: 'ship-running', start_date: new Date(started).toISOString() });
    const shipped = await call('POST', `/api/projects/${project.id}/experiments/${created.body.id}/ship_variant/`, { variant_key: 'control' });
    expect(shipped.status).toBe(200);
    expect(shipped.body.status).toBe('stopped');
    expect(shipped.body.conclusion).toBeNull();
    // Without release_to_everyone only the split changes (PostHog's default).
    expect((shipped.body.feature_flag.filters as unknown as { groups: unknown[] }).groups).toHaveLength(1);
    const draft = await call('POST', `/api/projects/${project.id}/experiments/`, { name: 'Ship draft', feature_flag_key: 'ship-draft' });
    expect((await call('POST', `/api/projects/${project.id}/experiments/${draft.body.id}/ship_variant/`, { variant_key: 'test' })).body.detail).toBe('Experiment has not been launched yet.');
  });

  it('archive and unarchive; the list filters on archived', async () => {
    const archived = await call('POST', path('archive/'));
    expect(archived.status).toBe(200);
    expect(archived.body.archived).toBe(true);
    expect((await call('POST', path('archive/'))).body.detail).toBe('Experiment is already archived.');
    const list = await api<{ results: { id: number }[] }>(server, `/api/projects/${project.id}/experiments/?archived=true`);
    expect(list.body.results.map((e) => e.id)).toEqual([experimentId]);
    const live = await api<{ results: { id: number }[] }>(server, `/api/projects/${project.id}/experiments/?archived=false`);
    expect(live.body.results.map((e) => e.id)).not.toContain(experimentId);
    const back = await call('POST', path('unarchive/'));
    expect(back.body.archived).toBe(false);
    expect((await call('POST', path('unarchive/'))).body.detail).toBe('Experiment is not archived.');
    // Another project's key path cannot act on it.
    const other = await createProject(server, 'lifecycle other');
    expect((await call('POST', `/api/projects/${other.id}/experiments/${experimentId}/end/`)).status).toBe(404);
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
