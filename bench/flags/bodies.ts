/**
 * `/flags/?v=2` request bodies as posthog-node 5.x sends them from `getAllFlags`/`getFeatureFlag`
 * (`token`, `distinct_id`, `groups`, `person_properties`, `group_properties` with `$group_key`,
 * `geoip_disable`, `evaluation_runtime: "server"`), over the ingested ids and ids the server has never seen.
 */
import { prng } from '../ingest/events.js';
import { type BenchPerson, COMPANIES, companyKey, type Props } from './dataset.js';

export interface FlagsBody {
  /** The JSON text sent. */
  json: string;
  distinctId: string;
  /** The stored person, when the id was ingested. */
  person: BenchPerson | null;
  personProperties: Props;
  /** The `company` group of the request, if any. */
  company: string | null;
}

export const UNKNOWN_IDS = 5_000;

/** posthog-node's body (`@posthog/core` `getFlags`, `posthog-node` `addLocalPersonAndGroupProperties`). */
export function nodeBody(token: string, distinctId: string, personProperties: Props, company: string | null): string {
  const groups = company ? { company } : {};
  const groupProperties = company ? { company: { $group_key: company } } : {};
  return JSON.stringify({
    token,
    distinct_id: distinctId,
    groups,
    person_properties: personProperties,
    group_properties: groupProperties,
    geoip_disable: true,
    evaluation_runtime: 'server',
  });
}

/**
 * The request mix: 60% ingested ids with nothing but the id; 20% ingested ids whose caller passes
 * a few person properties (one in ten a changed plan) and the user's company; 20% ids the server
 * has never stored (a pool of 5,000 anonymous ids), half with properties, a quarter with a company.
 */
export function makeBodies(token: string, persons: readonly BenchPerson[], count: number): FlagsBody[] {
  const rand = prng(7_771);
  const int = (n: number) => Math.floor(rand() * n);
  return Array.from({ length: count }, (): FlagsBody => {
    const r = rand();
    if (r < 0.8) {
      const person = persons[int(persons.length)]!;
      let personProperties: Props = {};
      let company: string | null = null;
      if (r >= 0.6) {
        personProperties = { email: person.properties.email!, plan: rand() < 0.1 ? 'enterprise' : person.properties.plan! };
        company = String(person.properties.company);
      }
      return { json: nodeBody(token, person.distinctId, personProperties, company), distinctId: person.distinctId, person, personProperties, company };
    }
    const distinctId = `anon-${int(UNKNOWN_IDS)}`;
    const personProperties: Props = rand() < 0.5 ? { country: rand() < 0.5 ? 'US' : 'DE', email: `${distinctId}@mail.test`, $initial_browser: 'Firefox' } : {};
    const company = rand() < 0.25 ? companyKey(int(COMPANIES)) : null;
    return { json: nodeBody(token, distinctId, personProperties, company), distinctId, person: null, personProperties, company };
  });
}
