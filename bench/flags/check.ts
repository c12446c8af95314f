/**
 * The correctness gate before anything is timed: a sample of the bench's own request bodies must get
 * all 20 flags, no `errorsWhileComputingFlags`, and, for the flags whose answer the bench can compute
 * from its own data, that answer. Expected values come from the dataset and PostHog's hash definition
 * (SHA-1 of `<key>.<id>`, first 15 hex digits / 0xFFFFFFFFFFFFFFF), not from the server.
 */
import crypto from 'node:crypto';
import type { FlagsBody } from './bodies.js';
import { type Props, tierOf } from './dataset.js';

interface FlagV2 {
  key: string;
  enabled: boolean;
  variant: string | null;
  failed?: boolean;
  reason: { code: string };
  metadata: { payload: string | null };
}
interface FlagsV2Body {
  flags?: Record<string, FlagV2>;
  errorsWhileComputingFlags?: boolean;
}

function refHash(key: string, id: string): number {
  const hex = crypto.createHash('sha1').update(`${key}.${id}`, 'utf8').digest('hex').slice(0, 15);
  return parseInt(hex, 16) / 0xfffffffffffffff;
}

/** What the bench knows each checked flag must answer for a body. */
function expectations(body: FlagsBody): Record<string, boolean> {
  const props: Props = { ...(body.person?.properties ?? {}), ...body.personProperties };
  const paying = props.plan === 'pro' || props.plan === 'enterprise';
  const company = body.company;
  const companyIndex = company === null ? -1 : Number(company.slice('company-'.length));
  return {
    everyone: true,
    'rollout-50': refHash('rollout-50', body.distinctId) <= 0.5,
    paying,
    'paying-us': paying && props.country === 'US',
    'europe-30-plus': ['DE', 'FR', 'GB', 'NL', 'ES'].includes(String(props.country)) && typeof props.age === 'number' && props.age >= 30,
    'vip-list': body.person?.inStaticCohort ?? false,
    buyers: body.person?.purchaser ?? false,
    'gold-companies': company !== null && tierOf(companyIndex) === 'gold' && refHash('gold-companies', company) <= 0.5,
  };
}

export interface CheckResult {
  checked: number;
  problems: string[];
  /** How often each flag was enabled in the sample: a flag never or always on would say little. */
  enabledShare: Map<string, number>;
}

export async function checkSample(url: string, bodies: readonly FlagsBody[], flagKeys: readonly string[]): Promise<CheckResult> {
  const problems: string[] = [];
  const enabled = new Map(flagKeys.map((k) => [k, 0]));
  for (const body of bodies) {
    const res = await fetch(`${url}/flags/?v=2`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body.json });
    const text = await res.text();
    if (res.status !== 200) {
      problems.push(`${body.distinctId}: status ${res.status}: ${text.slice(0, 200)}`);
      continue;
    }
    const answer = JSON.parse(text) as FlagsV2Body;
    const flags = answer.flags ?? {};
    if (answer.errorsWhileComputingFlags !== false) problems.push(`${body.distinctId}: errorsWhileComputingFlags is ${String(answer.errorsWhileComputingFlags)}`);
    const missing = flagKeys.filter((k) => !flags[k]);
    if (missing.length > 0) problems.push(`${body.distinctId}: flags missing from the answer: ${missing.join(', ')}`);
    for (const [key, expected] of Object.entries(expectations(body))) {
      const got = flags[key];
      if (got && got.enabled !== expected) problems.push(`${body.distinctId}: ${key} is ${got.enabled}, expected ${expected} (${got.reason.code})`);
    }
    if (body.company === null && flags['gold-companies'] && flags['gold-companies'].reason.code !== 'no_group_type') {
      problems.push(`${body.distinctId}: gold-companies without a company answered ${flags['gold-companies'].reason.code}, expected no_group_type`);
    }
    for (const flag of Object.values(flags)) {
      if (flag.failed) problems.push(`${body.distinctId}: ${flag.key} failed (${flag.reason.code})`);
      if (flag.enabled) enabled.set(flag.key, (enabled.get(flag.key) ?? 0) + 1);
    }
  }
  return { checked: bodies.length, problems, enabledShare: new Map([...enabled].map(([k, n]) => [k, n / bodies.length])) };
}
