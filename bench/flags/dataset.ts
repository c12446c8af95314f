/**
 * The flags benchmark's people: deterministic persons with the properties flags target, the events
 * that create them (identify with `$set`, purchases for the behavioural cohort, group identifies),
 * and the static cohort's CSV. Everything is a function of the person's index, so runs compare.
 */
import { prng } from '../ingest/events.js';

export type Props = Record<string, string | number | boolean>;

export interface BenchPerson {
  distinctId: string;
  properties: Props;
  /** Bought something in the last days: member of the behavioural cohort. */
  purchaser: boolean;
  /** Listed in the static cohort's CSV. */
  inStaticCohort: boolean;
}

export const COMPANIES = 300;
const PLANS: Array<[string, number]> = [['free', 0.6], ['pro', 0.25], ['enterprise', 0.1], ['team', 0.05]];
const COUNTRIES = ['US', 'DE', 'FR', 'GB', 'JP', 'BR', 'IN', 'CA', 'NL', 'ES'];
const DOMAINS = ['example.org', 'acme.com', 'mail.test', 'corp.example'];
const TIERS = ['gold', 'silver', 'bronze'];
const DAY_MS = 86_400_000;

export const companyKey = (k: number) => `company-${k}`;
export const tierOf = (k: number) => TIERS[k % TIERS.length]!;

function weighted(r: number, table: Array<[string, number]>): string {
  let acc = 0;
  for (const [value, weight] of table) if (r < (acc += weight)) return value;
  return table.at(-1)![0];
}

/** `count` persons `user-0` … with plan, country, age, email, signup date, app version, beta flag and company. */
export function makePersons(count: number, now = Date.now()): BenchPerson[] {
  const rand = prng(20_261_123);
  return Array.from({ length: count }, (_, i) => {
    const signup = new Date(now - Math.floor(rand() * 730) * DAY_MS - Math.floor(rand() * DAY_MS));
    const properties: Props = {
      plan: weighted(rand(), PLANS),
      country: COUNTRIES[Math.floor(rand() * COUNTRIES.length)]!,
      age: 18 + Math.floor(rand() * 60),
      email: `user${i}@${DOMAINS[Math.floor(rand() * DOMAINS.length)]!}`,
      signup_date: signup.toISOString(),
      app_version: `${1 + Math.floor(rand() * 3)}.${Math.floor(rand() * 12)}.${Math.floor(rand() * 5)}`,
      beta: rand() < 0.2,
      company: companyKey(Math.floor(rand() * COMPANIES)),
      $initial_browser: rand() < 0.5 ? 'Chrome' : 'Safari',
    };
    return { distinctId: `user-${i}`, properties, purchaser: rand() < 0.1, inStaticCohort: i % 10 === 3 };
  });
}

/** The events that create the dataset: one identify per person, a purchase per buyer, one group identify per company. */
export function datasetEvents(persons: readonly BenchPerson[], now = Date.now()): Array<Record<string, unknown>> {
  const events: Array<Record<string, unknown>> = [];
  const at = (msAgo: number) => new Date(now - msAgo).toISOString();
  for (const p of persons) {
    events.push({ event: '$identify', distinct_id: p.distinctId, properties: { $set: p.properties }, timestamp: at(3_600_000) });
    if (p.purchaser) events.push({ event: 'purchase', distinct_id: p.distinctId, properties: { amount: 49 }, timestamp: at(2 * DAY_MS) });
  }
  for (let k = 0; k < COMPANIES; k++) {
    events.push({
      event: '$groupidentify',
      distinct_id: persons[k % persons.length]!.distinctId,
      properties: { $group_type: 'company', $group_key: companyKey(k), $group_set: { tier: tierOf(k), employees: 10 + ((k * 37) % 990) } },
      timestamp: at(3_600_000),
    });
  }
  return events;
}

/** The static cohort's upload: a `distinct_id` header, then one id a line (PostHog's CSV form). */
export function staticCohortCsv(persons: readonly BenchPerson[]): string {
  return ['distinct_id', ...persons.filter((p) => p.inStaticCohort).map((p) => p.distinctId)].join('\n') + '\n';
}
