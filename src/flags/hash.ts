import { hash } from 'node:crypto';

/**
 * PostHog's bucketing hash (`sha1_60_v1`, ingest-and-flags.md §5.1): SHA-1 of `prefix + identifier + salt`
 * (UTF-8, no separators), the top 60 bits read as an unsigned integer, divided by 0xFFFFFFFFFFFFFFF. The
 * divisor is 2^60 once converted to binary64, so the quotient is exact; the only rounding is converting the
 * 60-bit integer to binary64, done once here (a 32-bit high part times 2^28 is exact, adding the 28-bit low
 * part rounds once, to nearest-even) — the same value Python's `int(hex, 16) / float(LONG_SCALE)` and Rust's
 * `u64 as f64 / LONG_SCALE as f64` produce.
 */

/** Bucketing identifiers are cut to this many Unicode scalar values (code points), not bytes or UTF-16 units. */
export const MAX_IDENTIFIER_SCALARS = 200;
const LONG_SCALE = 0xfffffffffffffff;

/** Rollout and variant hashes use `"<flag key>."`; holdouts use this literal prefix (no dot). */
export const HOLDOUT_PREFIX = 'holdout-';
export const VARIANT_SALT = 'variant';

/** The first 200 code points of an identifier (a non-BMP character counts once and is never split). */
export function truncateIdentifier(identifier: string): string {
  // UTF-16 length is an upper bound on the code point count, so short strings need no walk.
  if (identifier.length <= MAX_IDENTIFIER_SCALARS) return identifier;
  let count = 0;
  let end = 0;
  for (const ch of identifier) {
    if (count === MAX_IDENTIFIER_SCALARS) break;
    count++;
    end += ch.length;
  }
  return identifier.slice(0, end);
}

/** The hash in [0, 1] of `prefix + truncate(identifier) + salt`. */
export function hash01(prefix: string, identifier: string, salt = ''): number {
  const digest = hash('sha1', prefix + truncateIdentifier(identifier) + salt, 'buffer');
  const n = digest.readUInt32BE(0) * 0x10000000 + (digest.readUInt32BE(4) >>> 4);
  return n / LONG_SCALE;
}

/**
 * The rollout (salt `""`) or variant (salt `"variant"`) hash of a flag for an identifier. PostHog's server
 * short-circuits an empty identifier to 0.0 instead of hashing the prefix alone (§5.1, corpus
 * `hash.identifier.empty`): such an identifier is inside every rollout and gets the first variant.
 */
export function flagHash(flagKey: string, identifier: string, salt = ''): number {
  if (identifier === '') return 0;
  return hash01(`${flagKey}.`, identifier, salt);
}

/** The holdout hash: prefix `holdout-`, no salt, and (unlike rollouts) an empty identifier is really hashed. */
export function holdoutHash(identifier: string): number {
  return hash01(HOLDOUT_PREFIX, identifier);
}

/**
 * Whether a hash is inside a rollout percentage: 100 includes everyone without looking at the hash;
 * otherwise `hash <= percentage / 100` (the division in binary64, equality included), so 0% admits only
 * a hash of exactly 0.
 */
export function inRollout(hashValue: number, percentage: number): boolean {
  return percentage === 100 || hashValue <= percentage / 100;
}

export interface WeightedVariant {
  readonly key: string;
  readonly rollout_percentage: number;
}

/**
 * The variant whose cumulative boundary first exceeds the hash (`hash < boundary`, boundaries accumulated
 * left to right in binary64 in stored order); `null` when the hash is beyond the last boundary (weights
 * summing to less than 100, or float accumulation landing just below 1) — PostHog's v1 then serves `true`.
 */
export function selectVariant(hashValue: number, variants: readonly WeightedVariant[]): string | null {
  let boundary = 0;
  for (const variant of variants) {
    boundary += variant.rollout_percentage / 100;
    if (hashValue < boundary) return variant.key;
  }
  return null;
}
