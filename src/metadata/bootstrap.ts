import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { Postgres } from '../storage/postgres.js';
import type { PersonalApiKeyStore } from './personal-api-keys.js';
import type { ProjectStore } from './projects.js';
import { generatePassword, generateToken, hashPassword } from './secrets.js';

/** What the first start created; kept in `<data>/credentials.json` (mode 0600) so every start can print it. */
export interface Credentials {
  adminEmail: string;
  /** Only present when Hedgerow generated the password (an env-supplied one is never written down). */
  adminPassword?: string;
  projectId: number;
  projectApiKey: string;
  personalApiKey: string;
}

const DEFAULT_ADMIN_EMAIL = 'admin@hedgerow.local';

function checkPrefix(name: string, value: string | undefined, prefix: string): void {
  if (value !== undefined && !value.startsWith(prefix)) throw new Error(`${name} must start with "${prefix}"`);
}

export async function bootstrapInstance(
  deps: { pg: Postgres; projects: ProjectStore; keys: PersonalApiKeyStore; config: Config; log: Logger },
): Promise<Credentials> {
  const { pg, projects, keys, config, log } = deps;
  const file = path.join(config.dataDir, 'credentials.json');
  const [{ count }] = (await pg.query<{ count: number }>('SELECT count(*)::int AS count FROM organizations')) as [{ count: number }];
  if (count > 0) {
    if (!fs.existsSync(file)) throw new Error(`${file} is missing; the instance was bootstrapped but its credentials file was removed`);
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Credentials;
  }

  const b = config.bootstrap;
  checkPrefix('HEDGEROW_PROJECT_API_KEY', b.projectApiKey, 'phc_');
  checkPrefix('HEDGEROW_PERSONAL_API_KEY', b.personalApiKey, 'phx_');
  const adminEmail = b.adminEmail ?? DEFAULT_ADMIN_EMAIL;
  const generatedPassword = b.adminPassword ? undefined : generatePassword();
  const personalApiKey = b.personalApiKey ?? generateToken('phx_');

  const credentials = await pg.transaction(async (tx) => {
    const organizationId = crypto.randomUUID();
    await tx.query('INSERT INTO organizations (id, name) VALUES ($1, $2)', [organizationId, 'Hedgerow']);
    const [user] = await tx.query<{ id: number }>(
      'INSERT INTO users (uuid, email, password_hash, first_name, organization_id) VALUES ($1, $2, $3, $4, $5) RETURNING id',
      [crypto.randomUUID(), adminEmail, hashPassword(b.adminPassword ?? generatedPassword!), 'Admin', organizationId],
    );
    const project = await projects.create({ organizationId, name: 'Default project', apiToken: b.projectApiKey }, tx);
    await keys.create({ userId: user!.id, label: 'Bootstrap key', value: personalApiKey }, tx);
    return {
      adminEmail,
      ...(generatedPassword ? { adminPassword: generatedPassword } : {}),
      projectId: project.id,
      projectApiKey: project.apiToken,
      personalApiKey,
    } satisfies Credentials;
  });
  fs.writeFileSync(file, JSON.stringify(credentials, null, 2) + '\n', { mode: 0o600 });
  log.info({ projectId: credentials.projectId, adminEmail }, 'first start: created organization, project, admin user and keys');
  return credentials;
}
