import crypto from 'node:crypto';

/** One event as a posthog-js/posthog-node batch carries it. */
export interface CaptureEvent {
  event: string;
  distinct_id: string;
  properties: Record<string, unknown>;
  timestamp: string;
  uuid: string;
}

export const EVENTS_PER_REQUEST = 100;
const DISTINCT_IDS = 10_000;

/** Small seeded PRNG (mulberry32) so every run sends the same mix of events (the flags bench's data too). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ~50 event names, weighted towards the autocaptured ones as real traffic is.
const EVENT_NAMES = [
  ...Array<string>(10).fill('$pageview'),
  ...Array<string>(6).fill('$autocapture'),
  ...Array<string>(3).fill('$pageleave'),
  '$identify', '$groupidentify', '$rageclick', '$web_vitals', '$exception', '$feature_flag_called', '$survey_shown',
  'signed_up', 'logged_in', 'logged_out', 'invite_sent', 'invite_accepted', 'project_created', 'project_deleted',
  'dashboard_viewed', 'dashboard_created', 'insight_viewed', 'insight_created', 'insight_saved', 'filter_applied',
  'search_performed', 'export_started', 'export_completed', 'file_uploaded', 'comment_added', 'notification_clicked',
  'settings_updated', 'plan_upgraded', 'plan_downgraded', 'checkout_started', 'checkout_completed', 'payment_failed',
  'trial_started', 'trial_ended', 'onboarding_step_completed', 'onboarding_completed', 'api_key_created',
  'integration_connected', 'integration_failed', 'video_played', 'video_paused', 'button_clicked',
];
const HOSTS = ['app.example.com', 'www.example.com', 'docs.example.com'];
const PATHS = ['/', '/pricing', '/signup', '/login', '/dashboard', '/insights/new', '/settings/billing', '/docs/getting-started', '/blog/launch-week'];
const BROWSERS = ['Chrome', 'Safari', 'Firefox', 'Microsoft Edge', 'Chrome iOS', 'Samsung Internet'];
const OSES: Array<[string, string]> = [['Mac OS X', '14.4.1'], ['Windows', '10.0'], ['iOS', '17.4'], ['Android', '14.0'], ['Linux', '']];
const SCREENS: Array<[number, number, string]> = [[1920, 1080, 'Desktop'], [2560, 1440, 'Desktop'], [1440, 900, 'Desktop'], [390, 844, 'Mobile'], [412, 915, 'Mobile'], [820, 1180, 'Tablet']];
const REFERRERS = ['$direct', 'https://www.google.com/', 'https://news.ycombinator.com/', 'https://twitter.com/', 'https://github.com/'];
const UTM_SOURCES = ['google', 'newsletter', 'twitter', 'partner'];
const PLANS = ['free', 'startup', 'scale', 'enterprise'];

/**
 * Returns a function making realistic events for a pool of 10k users with stable session ids.
 * `personShare` of the events carry person work: half a `$set` event changing a property, half an
 * `$identify` merging a new anonymous id into the user (each with fresh ids, see `freshIdsOf`).
 * `personless` marks every event `$process_person_profile: false` (no person work at all).
 */
export function eventGenerator(seed: number, personShare = 0, personless = false): (sentAtMs: number) => CaptureEvent {
  const rand = prng(seed);
  const int = (n: number) => Math.floor(rand() * n);
  const pick = <T>(list: readonly T[]): T => list[int(list.length)]!;
  const users = Array.from({ length: DISTINCT_IDS }, (_, i) =>
    i % 3 === 0 ? { id: crypto.randomUUID(), identified: false } : { id: `user_${i}@example.com`, identified: true },
  );
  const sessions = users.map(() => ({ session: crypto.randomUUID(), window: crypto.randomUUID() }));

  return (sentAtMs) => {
    const u = int(DISTINCT_IDS);
    const user = users[u]!;
    const host = pick(HOSTS);
    const pathname = pick(PATHS);
    const [os, osVersion] = pick(OSES);
    const [width, height, deviceType] = pick(SCREENS);
    const referrer = pick(REFERRERS);
    const properties: Record<string, unknown> = {
      $current_url: `https://${host}${pathname}${rand() < 0.3 ? `?ref=${int(1000)}` : ''}`,
      $host: host,
      $pathname: pathname,
      $browser: pick(BROWSERS),
      $browser_version: 100 + int(30),
      $os: os,
      $os_version: osVersion,
      $device_type: deviceType,
      $screen_width: width,
      $screen_height: height,
      $viewport_width: width - int(40),
      $viewport_height: height - 80 - int(100),
      $lib: 'web',
      $lib_version: '1.200.2',
      $referrer: referrer,
      $referring_domain: referrer === '$direct' ? '$direct' : new URL(referrer).hostname,
      $session_id: sessions[u]!.session,
      $window_id: sessions[u]!.window,
      $is_identified: user.identified,
      $insert_id: rand().toString(36).slice(2, 18),
      plan: pick(PLANS),
      amount: Math.round(rand() * 50_000) / 100,
      item_count: int(12),
      is_trial: rand() < 0.2,
    };
    if (rand() < 0.25) properties.utm_source = pick(UTM_SOURCES);
    if (personless) properties.$process_person_profile = false;
    let event = pick(EVENT_NAMES);
    if (rand() < personShare) {
      if (rand() < 0.5) {
        event = '$set';
        properties.$set = { plan: pick(PLANS), last_action: crypto.randomUUID() };
      } else {
        event = '$identify';
        properties.$set = { email: user.id.includes('@') ? user.id : `${user.id}@example.com` };
        properties.$anon_distinct_id = `anon-${crypto.randomUUID()}`;
      }
    } else if (event === '$identify' || event === '$set' || (personless && event === '$groupidentify')) {
      event = '$pageview';
    }
    return {
      event,
      distinct_id: user.id,
      properties,
      // Events were recorded up to 10 s before the batch was sent, as an SDK's queue does.
      timestamp: new Date(sentAtMs - int(10_000)).toISOString(),
      uuid: crypto.randomUUID(),
    };
  };
}

/**
 * The random ids in an event that the client replaces before every send, in the order they appear
 * in its JSON: a re-sent body must be new events with new person work, not retries.
 */
export function freshIdsOf(e: CaptureEvent): string[] {
  const set = e.properties.$set as { last_action?: string } | undefined;
  const anon = e.properties.$anon_distinct_id as string | undefined;
  return [set?.last_action, anon?.slice('anon-'.length), e.uuid].filter((id): id is string => id !== undefined);
}
