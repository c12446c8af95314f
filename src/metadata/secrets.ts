import crypto from 'node:crypto';

/** PostHog-style tokens: a prefix and 32 random bytes, base64url (43 characters). */
export function generateToken(prefix: 'phc_' | 'phx_'): string {
  return prefix + crypto.randomBytes(32).toString('base64url');
}

export function generatePassword(): string {
  return crypto.randomBytes(12).toString('base64url');
}

/** Personal API keys are stored only as a hash, like PostHog's `secure_value`. */
export function hashApiKey(value: string): string {
  return 'sha256$' + crypto.createHash('sha256').update(value).digest('hex');
}

export function maskApiKey(value: string): string {
  return `${value.slice(0, 4)}...${value.slice(-4)}`;
}

const SCRYPT_N = 16384;

export function hashPassword(password: string): string {
  const salt = crypto.randomBytes(16);
  const hash = crypto.scryptSync(password, salt, 32, { N: SCRYPT_N });
  return `scrypt$${SCRYPT_N}$${salt.toString('base64')}$${hash.toString('base64')}`;
}
