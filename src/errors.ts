/**
 * The one error type. Every 4xx/5xx body Hedgerow sends comes from here, in PostHog's
 * DRF shape `{type, code, detail, attr}` (posthog-python reads `detail`).
 */
export const errorCatalog = {
  // capture
  empty_payload: { status: 400, type: 'validation_error' },
  empty_batch: { status: 400, type: 'validation_error' },
  request_decoding_error: { status: 400, type: 'validation_error' },
  request_parsing_error: { status: 400, type: 'validation_error' },
  missing_event_name: { status: 400, type: 'validation_error' },
  missing_distinct_id: { status: 400, type: 'validation_error' },
  invalid_event: { status: 400, type: 'validation_error' },
  invalid_timestamp: { status: 400, type: 'validation_error' },
  invalid_cookieless_mode: { status: 400, type: 'validation_error' },
  unroutable_events: { status: 400, type: 'validation_error' },
  ingest_key_required: { status: 401, type: 'authentication_error' },
  ingest_key_unknown: { status: 403, type: 'authentication_error' },
  // flags (PostHog's code for a missing or unknown project token)
  invalid_api_key: { status: 401, type: 'authentication_error' },
  payload_too_large: { status: 413, type: 'validation_error' },
  unsupported_media_type: { status: 415, type: 'validation_error' },
  // API
  invalid_input: { status: 400, type: 'validation_error' },
  not_authenticated: { status: 401, type: 'authentication_error' },
  authentication_failed: { status: 401, type: 'authentication_error' },
  permission_denied: { status: 403, type: 'authentication_error' },
  not_found: { status: 404, type: 'invalid_request' },
  method_not_allowed: { status: 405, type: 'invalid_request' },
  throttled: { status: 429, type: 'throttled_error' },
  // queries (PostHog's codes for HogQL errors)
  hogql_syntax_error: { status: 400, type: 'validation_error' },
  hogql_query_error: { status: 400, type: 'validation_error' },
  invalid_property_filter: { status: 400, type: 'validation_error' },
  query_limit_exceeded: { status: 400, type: 'validation_error' },
  // server side
  overloaded: { status: 503, type: 'server_error' },
  internal_error: { status: 500, type: 'server_error' },
} as const satisfies Record<string, { status: number; type: string }>;

export type ErrorCode = keyof typeof errorCatalog;

export class HedgerowError extends Error {
  readonly status: number;
  readonly type: string;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly attr: string | null = null,
    /** Extra body fields, e.g. the character offsets of a HogQL error. */
    readonly extra?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'HedgerowError';
    this.status = errorCatalog[code].status;
    this.type = errorCatalog[code].type;
  }

  toBody(): { type: string; code: ErrorCode; detail: string; attr: string | null } {
    return { type: this.type, code: this.code, detail: this.message, attr: this.attr, ...this.extra };
  }
}
