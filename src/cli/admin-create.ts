import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';

import { loadEnvironment } from '../config/environment';
import { assertDataDirFree } from '../database/data-dir-lock';
import { IN_MEMORY } from '../database/embedded-database';

/**
 * Creates the first platform admin, or promotes an existing account:
 *   npm run admin:create -- --email admin@example.com [--username admin] [--password ...]
 * A new account without --password gets a random one, printed once. Uses DATABASE_URL, or the
 * embedded database in DATA_DIR, which has one writer: while the server holds it, this refuses at once
 * and names the server's pid (stop it first). Nothing is printed as done unless it was committed.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { email: { type: 'string' }, username: { type: 'string' }, password: { type: 'string' } },
  });
  if (!values.email) {
    console.error(
      'Usage: npm run admin:create -- --email <email> [--username <name>] [--password <password>]',
    );
    process.exit(2);
  }
  // Refused before the application is even loaded while another process holds the data folder.
  const env = loadEnvironment();
  if (!env.DATABASE_URL && env.DATA_DIR !== IN_MEMORY) {
    await assertDataDirFree(env.DATA_DIR);
  }
  const [{ NestFactory }, { AppModule }, { AuthService }] = await Promise.all([
    import('@nestjs/core'),
    import('../app.module'),
    import('../modules/auth/auth.service'),
  ]);
  // A command does no background work: the server's instances run the jobs.
  const app = await NestFactory.createApplicationContext(
    AppModule.forRoot({ overrides: { JOBS_WORKERS: 'false' } }),
    { logger: ['error', 'warn'], abortOnError: false },
  );
  try {
    const password = values.password ?? randomBytes(12).toString('base64url');
    const result = await app.get(AuthService).createOrPromoteAdmin(values.email, password, values.username);
    if (result.created) {
      console.log(`Created admin ${values.email} (${result.id}).`);
      if (!values.password) {
        console.log(`Password: ${password}  (shown once: change it after logging in)`);
      }
    } else {
      console.log(`Promoted ${values.email} (${result.id}) to ADMIN.`);
    }
  } finally {
    await app.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
