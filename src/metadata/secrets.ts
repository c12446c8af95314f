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

/** Checks a password against a `hashPassword` result; async so a login never blocks the event loop for the scrypt run. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = await new Promise<Buffer>((resolve, reject) =>
    crypto.scrypt(password, Buffer.from(salt, 'base64'), expected.length, { N: Number(n) }, (err, key) => (err ? reject(err) : resolve(key))),
  );
  return crypto.timingSafeEqual(actual, expected);
}

/** Session cookies and CSRF tokens: 32 random bytes; only their hash is stored. */
export function generateSessionToken(): string {
  return crypto.randomBytes(32).toString('base64url');
}

export function hashSessionToken(value: string): string {
  return crypto.createHash('sha256').update(value).digest('hex');
}
