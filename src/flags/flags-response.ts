import type { FeatureFlag } from './flag-types.js';

/** One evaluated flag, as every response shape needs it. */
export interface EvaluatedFlag {
  flag: FeatureFlag;
  enabled: boolean;
  variant: string | null;
  reason: { code: string; condition_index: number | null; description: string | null };
  /** The stored payload (a JSON-encoded string) for the matched value, or null. */
  payload: unknown;
  failed?: boolean;
}

export type ResponseShape = 'flags_v2' | 'flags_v1' | 'decide_v1' | 'decide_v2';

/** Which shape a request gets (reference §4.3): by path and `v`. */
export function responseShape(endpoint: 'flags' | 'decide', version: number | undefined): ResponseShape {
  if (endpoint === 'flags') return version !== undefined && version >= 2 ? 'flags_v2' : 'flags_v1';
  if (version === undefined || version <= 1) return 'decide_v1';
  if (version === 2) return 'decide_v2';
  return version === 3 ? 'flags_v1' : 'flags_v2';
}

const valueOf = (r: EvaluatedFlag): boolean | string => (r.enabled ? (r.variant ?? true) : false);

export function shapeFlagsResponse(
  shape: ResponseShape,
  results: EvaluatedFlag[],
  meta: { requestId: string; evaluatedAt: number; errors: boolean; config?: Record<string, unknown> },
): Record<string, unknown> {
  const common = { errorsWhileComputingFlags: meta.errors, requestId: meta.requestId, evaluatedAt: meta.evaluatedAt };
  let body: Record<string, unknown>;
  switch (shape) {
    case 'flags_v2': {
      const flags: Record<string, unknown> = {};
      for (const r of results) {
        flags[r.flag.key] = {
          key: r.flag.key,
          enabled: r.enabled,
          variant: r.variant,
          ...(r.failed ? { failed: true } : {}),
          reason: r.reason,
          metadata: { id: r.flag.id, version: r.flag.version, description: r.flag.name || null, payload: r.payload ?? null, has_experiment: r.flag.hasExperiment },
        };
      }
      body = { flags, ...common };
      break;
    }
    case 'flags_v1': {
      const featureFlags: Record<string, boolean | string> = {};
      const featureFlagPayloads: Record<string, unknown> = {};
      for (const r of results) {
        featureFlags[r.flag.key] = valueOf(r);
        if (r.enabled && r.payload !== null && r.payload !== undefined) featureFlagPayloads[r.flag.key] = r.payload;
      }
      body = { featureFlags, featureFlagPayloads, ...common };
      break;
    }
    case 'decide_v2': {
      const featureFlags: Record<string, boolean | string> = {};
      for (const r of results) if (r.enabled) featureFlags[r.flag.key] = valueOf(r);
      body = { featureFlags, ...common };
      break;
    }
    case 'decide_v1':
      body = { featureFlags: results.filter((r) => r.enabled).map((r) => r.flag.key), ...common };
      break;
  }
  // Remote config keys sit at the top level (`/decide`, and `/flags?config=true`); flag fields win.
  return meta.config ? { ...meta.config, ...body } : body;
}
