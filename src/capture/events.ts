import { v7 as uuidv7 } from 'uuid';
import { HedgerowError } from '../errors.js';
import { cleanText } from '../unicode.js';
import { clickHouseTime, eventHead, type IngestEvent } from '../ingest/ingest-event.js';
import { elementsToChain } from './elements-chain.js';
import { parseTimestamp, resolveEventTime } from './timestamps.js';

type Json = Record<string, unknown>;

/** A capture body split into its events and the batch-level fields that apply to all of them. */
export interface CapturePayload {
  batchToken: unknown;
  bodySentAt: unknown;
  events: Json[];
}

export const MAX_EVENT_BYTES = 1024 * 1024;
export const MAX_PROPERTY_DEPTH = 64;
const MAX_NAME_CHARS = 200;
const UUID_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const CANONICAL_UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function isUuid(value: string): boolean {
  return value.length === 36 ? CANONICAL_UUID_RE.test(value) : UUID_RE.test(value);
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Accepts the three body shapes: a single event, a bare array, or `{api_key|token, batch, sent_at}`. */
export function splitPayload(payload: unknown): CapturePayload {
  let events: unknown[];
  let batchToken: unknown;
  let bodySentAt: unknown;
  if (Array.isArray(payload)) {
    events = payload;
  } else if (isObject(payload) && 'batch' in payload) {
    if (!Array.isArray(payload.batch)) throw new HedgerowError('request_parsing_error', '"batch" must be an array of events', 'batch');
    events = payload.batch;
    batchToken = payload.api_key ?? payload.token;
    bodySentAt = payload.sent_at;
  } else if (isObject(payload)) {
    events = [payload];
  } else {
    throw new HedgerowError('request_parsing_error', 'body must be an event object, an array of events, or {"api_key", "batch": [...]}');
  }
  if (events.length === 0) throw new HedgerowError('empty_batch', 'the request contains no events');
  events.forEach((event, i) => {
    if (!isObject(event)) throw new HedgerowError('invalid_event', `event ${i} is not a JSON object`, `batch[${i}]`);
  });
  return { batchToken, bodySentAt, events: events as Json[] };
}

/**
 * The project token: the batch's `api_key`/`token`, else each event's `token`/`$token`/`api_key`
 * or `properties.token`; all events must agree.
 */
export function resolveToken(payload: CapturePayload): string {
  const fromBatch = nonEmptyString(payload.batchToken);
  if (fromBatch) return fromBatch;
  const tokens = new Set<string>();
  for (const event of payload.events) {
    const props = isObject(event.properties) ? event.properties : {};
    const token = nonEmptyString(event.token) ?? nonEmptyString(event.$token) ?? nonEmptyString(event.api_key) ?? nonEmptyString(props.token);
    if (token) tokens.add(token);
  }
  if (tokens.size > 1) throw new HedgerowError('unroutable_events', 'events in one request carry different project tokens');
  const [token] = tokens;
  if (!token) throw new HedgerowError('ingest_key_required', 'no project API key: send "api_key" in the body or "token" in the event properties');
  return token;
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim().length > 0 ? value.trim() : undefined;
}

/** Strings go to ClickHouse as UTF-8; lone surrogates would not survive, NUL is replaced as PostHog does. */
function cleanString(value: string, maxChars?: number): string {
  let s = cleanText(value);
  if (maxChars !== undefined && s.length > maxChars) s = Array.from(s).slice(0, maxChars).join('');
  return s;
}

function distinctIdOf(event: Json, props: Json, index: number): string {
  const raw = event.distinct_id ?? event.$distinct_id ?? props.distinct_id;
  let id: string | undefined;
  if (typeof raw === 'string') id = raw;
  else if (typeof raw === 'number' || typeof raw === 'boolean' || typeof raw === 'bigint') id = String(raw);
  else if (raw !== null && raw !== undefined) id = JSON.stringify(raw);
  if (id === undefined || id.trim().length === 0) {
    throw new HedgerowError('missing_distinct_id', `event ${index} has no distinct_id`, `batch[${index}].distinct_id`);
  }
  return cleanString(id, MAX_NAME_CHARS);
}

/** Depth of nested objects/arrays, counted without recursion so hostile nesting cannot overflow the stack. */
function exceedsDepth(root: unknown, max: number): boolean {
  const stack: unknown[] = [root];
  const depths: number[] = [0];
  while (stack.length > 0) {
    const value = stack.pop() as Record<string, unknown>;
    const depth = depths.pop()!;
    if (depth > max) return true;
    for (const key in value) {
      const child = value[key];
      if (typeof child === 'object' && child !== null) {
        stack.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return false;
}

/** What a whole request shares: resolved once, not per event. */
export interface EventContext {
  teamId: number;
  /** Client address as Fastify resolved it (proxy headers only when configured as trusted). */
  ip: string;
  now: number;
  /** ClickHouse text of `now`. */
  createdAt: string;
  /** From the body's `sent_at` or the `_`/`sent_at` query parameter. */
  sentAt: number | undefined;
  /** `/engage/` fills a missing event name with `$identify`. */
  defaultEventName: string | undefined;
}

export function toIngestEvent(raw: Json, index: number, ctx: EventContext): IngestEvent {
  const where = `batch[${index}]`;
  if (raw.properties !== undefined && raw.properties !== null && !isObject(raw.properties)) {
    throw new HedgerowError('invalid_event', `event ${index}: "properties" must be an object`, `${where}.properties`);
  }
  if (exceedsDepth(raw, MAX_PROPERTY_DEPTH)) {
    throw new HedgerowError('invalid_event', `event ${index} is nested deeper than ${MAX_PROPERTY_DEPTH} levels`, where);
  }
  // The parsed body is ours: properties are changed in place rather than copied.
  const properties: Json = isObject(raw.properties) ? raw.properties : {};

  const eventName = raw.event ?? ctx.defaultEventName;
  if (typeof eventName !== 'string' || eventName.trim().length === 0) {
    throw new HedgerowError('missing_event_name', `event ${index} has no event name`, `${where}.event`);
  }
  const distinctId = distinctIdOf(raw, properties, index);

  let uuid: string;
  if (raw.uuid === undefined || raw.uuid === null || raw.uuid === '') uuid = uuidv7();
  else if (typeof raw.uuid === 'string' && isUuid(raw.uuid)) uuid = raw.uuid.toLowerCase();
  else throw new HedgerowError('invalid_event', `event ${index}: uuid ${JSON.stringify(raw.uuid)} is not a valid UUID`, `${where}.uuid`);

  let timestamp: number | undefined;
  if (raw.timestamp !== undefined && raw.timestamp !== null && raw.timestamp !== '') {
    timestamp = parseTimestamp(raw.timestamp);
    if (timestamp === undefined) {
      throw new HedgerowError('invalid_timestamp', `event ${index}: timestamp ${JSON.stringify(raw.timestamp).slice(0, 100)} is not a date-time`, `${where}.timestamp`);
    }
  }
  let offsetMs: number | undefined;
  if (raw.offset !== undefined && raw.offset !== null) {
    if (typeof raw.offset !== 'number' || !Number.isFinite(raw.offset)) {
      throw new HedgerowError('invalid_timestamp', `event ${index}: offset must be a number of milliseconds`, `${where}.offset`);
    }
    offsetMs = Math.round(raw.offset);
  }
  if (properties.$cookieless_mode !== undefined && typeof properties.$cookieless_mode !== 'boolean') {
    throw new HedgerowError('invalid_cookieless_mode', `event ${index}: $cookieless_mode must be true or false`, `${where}.properties.$cookieless_mode`);
  }

  const time = resolveEventTime({ timestamp, offsetMs, sentAt: ctx.sentAt, ignoreSentAt: properties.$ignore_sent_at === true, now: ctx.now });

  // Top-level $set/$set_once (posthog-js identify, posthog-python) merge in; top-level keys win.
  if (isObject(raw.$set)) properties.$set = isObject(properties.$set) ? { ...properties.$set, ...raw.$set } : raw.$set;
  if (isObject(raw.$set_once)) properties.$set_once = isObject(properties.$set_once) ? { ...properties.$set_once, ...raw.$set_once } : raw.$set_once;
  if (properties.$ip === undefined) properties.$ip = ctx.ip;
  if (ctx.sentAt !== undefined) properties.$sent_at = new Date(ctx.sentAt).toISOString();

  let sessionId = typeof properties.$session_id === 'string' ? cleanString(properties.$session_id) : '';
  if (sessionId.length > 0 && isUuid(sessionId)) {
    sessionId = sessionId.toLowerCase();
    properties.$session_id = sessionId;
  }
  const windowId = typeof properties.$window_id === 'string' ? cleanString(properties.$window_id) : '';

  let elementsChain = '';
  if (typeof properties.$elements_chain === 'string') elementsChain = cleanString(properties.$elements_chain);
  else if (Array.isArray(properties.$elements)) {
    elementsChain = elementsToChain(properties.$elements);
    delete properties.$elements;
  }

  const propertiesJson = JSON.stringify(properties);
  if (propertiesJson.length > MAX_EVENT_BYTES) {
    throw new HedgerowError('payload_too_large', `event ${index} is ${propertiesJson.length} bytes; the limit per event is ${MAX_EVENT_BYTES}`, where);
  }
  const name = cleanString(eventName, MAX_NAME_CHARS);
  return {
    uuid,
    teamId: ctx.teamId,
    event: name,
    distinctId,
    properties,
    propertiesJson,
    timestampMs: time,
    head: eventHead({
      uuid,
      teamId: ctx.teamId,
      event: name,
      distinctId,
      timestamp: clickHouseTime(time),
      createdAt: ctx.createdAt,
      sessionId,
      windowId,
      elementsChain,
    }),
  };
}
