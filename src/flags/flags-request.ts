import { HedgerowError } from '../errors.js';

/**
 * A `/flags` or `/decide` request body as the SDKs send it (reference §4.2), with PostHog's field
 * aliases resolved: posthog-python sends `api_key`/`device_id`, posthog-js `flag_keys`/`$device_id`.
 */
export interface FlagsRequest {
  token: string | undefined;
  distinctId: string;
  groups: Record<string, string>;
  personProperties: Record<string, unknown>;
  groupProperties: Record<string, Record<string, unknown>>;
  anonDistinctId: string | undefined;
  deviceId: string | undefined;
  /** Evaluate nothing (posthog-js with flags disabled). */
  disableFlags: boolean;
  /** Only these flags, when given. */
  flagKeys: string[] | undefined;
  /** Only flags tagged with one of these (untagged flags always). */
  evaluationContexts: string[] | undefined;
  /** `server` or `client`: flags of the other runtime are skipped. */
  evaluationRuntime: string | undefined;
  timezone: string | undefined;
}

const MAX_DISTINCT_ID = 200;

function first(body: Record<string, unknown>, ...names: string[]): unknown {
  for (const n of names) if (body[n] !== undefined && body[n] !== null) return body[n];
  return undefined;
}

function record(value: unknown, field: string): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new HedgerowError('invalid_input', `${field} must be an object`, field);
  return value as Record<string, unknown>;
}

function stringList(value: unknown, field: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw new HedgerowError('invalid_input', `${field} must be a list of strings`, field);
  return value.map(String);
}

/** Identifiers may arrive as JSON numbers; PostHog stringifies them. */
function idText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

export function parseFlagsRequest(decoded: unknown): FlagsRequest {
  if (typeof decoded !== 'object' || decoded === null || Array.isArray(decoded)) {
    throw new HedgerowError('invalid_input', 'request body must be a JSON object with token and distinct_id');
  }
  const body = decoded as Record<string, unknown>;
  const distinct = first(body, 'distinct_id', '$distinct_id');
  const distinctId = idText(distinct);
  if (distinctId === undefined) throw new HedgerowError('missing_distinct_id', 'distinct_id is required (a string)', 'distinct_id');
  const groups: Record<string, string> = {};
  for (const [type, key] of Object.entries(record(first(body, 'groups', '$groups'), 'groups'))) {
    const text = idText(key);
    if (text !== undefined) groups[type] = text;
  }
  const groupProperties: Record<string, Record<string, unknown>> = {};
  for (const [type, props] of Object.entries(record(first(body, 'group_properties', '$group_properties'), 'group_properties'))) {
    groupProperties[type] = record(props, `group_properties.${type}`);
  }
  const personProperties = record(first(body, 'person_properties', '$properties'), 'person_properties');
  const token = first(body, 'token', '$token', 'api_key');
  return {
    token: typeof token === 'string' ? token : undefined,
    // PostHog truncates to 200 characters (Unicode scalars).
    distinctId: [...distinctId].slice(0, MAX_DISTINCT_ID).join(''),
    groups,
    personProperties,
    groupProperties,
    anonDistinctId: idText(first(body, '$anon_distinct_id', 'anon_distinct_id')),
    deviceId: idText(first(body, '$device_id', 'device_id')) ?? idText(personProperties.$device_id),
    disableFlags: body.disable_flags === true,
    flagKeys: stringList(first(body, 'flag_keys_to_evaluate', 'flag_keys'), 'flag_keys_to_evaluate'),
    evaluationContexts: stringList(first(body, 'evaluation_contexts', 'evaluation_environments'), 'evaluation_contexts'),
    evaluationRuntime: typeof body.evaluation_runtime === 'string' ? body.evaluation_runtime : undefined,
    timezone: typeof body.timezone === 'string' ? body.timezone : undefined,
  };
}
