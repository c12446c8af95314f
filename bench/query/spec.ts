/**
 * The fixed shape of the query benchmark's dataset: dates, teams, sizes and the typed properties.
 * Everything the generator, the queries and the runner must agree on lives here.
 */

/** Bump when the generated data changes, so cached data dirs are rebuilt. */
export const GENERATOR_VERSION = 1;

export const TEAM_ID = 1;
/** A second project with ~1% of the events, mapping some of the same distinct ids: a missing team guard shows in the results. */
export const OTHER_TEAM_ID = 2;
export const TIMEZONE = 'Europe/Berlin';

/** 30 days ending at a fixed instant, so runs compare across days. Europe/Berlin leaves summer time on 2026-10-25. */
export const START_MS = Date.UTC(2026, 9, 2);
export const END_MS = Date.UTC(2026, 10, 1);
export const DAYS = 30;

export const PERSONS = 200_000;
export const OTHER_TEAM_PERSONS = 2_000;
/** Organisations (group type 0) that paying persons belong to. */
export const ORGS = 5_000;
/** Sessions come in pairs whose lengths add up to 20 events, so the event count is exact. */
export const EVENTS_PER_SESSION_PAIR = 20;
export const EVENTS_PER_CHUNK = 1_000_000;

/** Launch day: 1.5% of sessions start in this hour (14:00 UTC = 15:00 in Berlin). */
export const HOT_HOUR_MS = Date.UTC(2026, 9, 28, 14);

/** Types of the event properties as PostHog's property definitions would record them. */
export const EVENT_PROPERTY_TYPES: Record<string, 'String' | 'Numeric' | 'Boolean' | 'DateTime'> = {
  $browser: 'String',
  $browser_version: 'Numeric',
  $os: 'String',
  $device_type: 'String',
  $current_url: 'String',
  $pathname: 'String',
  $host: 'String',
  $referring_domain: 'String',
  $screen_width: 'Numeric',
  $screen_height: 'Numeric',
  $lib: 'String',
  $lib_version: 'String',
  $session_id: 'String',
  $window_id: 'String',
  $device_id: 'String',
  $geoip_country_code: 'String',
  plan: 'String',
  is_first: 'Boolean',
  utm_source: 'String',
  revenue: 'Numeric',
  price: 'Numeric',
};

export const PERSON_PROPERTY_TYPES: Record<string, 'String' | 'Numeric' | 'Boolean' | 'DateTime'> = {
  email: 'String',
  name: 'String',
  plan: 'String',
  country: 'String',
  $initial_browser: 'String',
  $initial_os: 'String',
  $initial_referring_domain: 'String',
  created: 'DateTime',
  seats: 'Numeric',
};

export function propertyType(kind: 'event' | 'person' | 'group', key: string): 'String' | 'Numeric' | 'Boolean' | 'DateTime' | undefined {
  if (kind === 'event') return EVENT_PROPERTY_TYPES[key];
  if (kind === 'person') return PERSON_PROPERTY_TYPES[key];
  return undefined;
}
