import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../app.module';
import { AuthService } from '../modules/auth/auth.service';

/**
 * Creates the first platform admin, or promotes an existing account:
 *   npm run admin:create -- --email admin@example.com [--username admin] [--password ...]
 * A new account without --password gets a random one, printed once. Uses DATABASE_URL, or the
 * embedded database in DATA_DIR (stop the server first: PGlite opens its folder in one process).
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
  // A command does no background work: the server's instances run the jobs.
  const app = await NestFactory.createApplicationContext(
    AppModule.forRoot({ overrides: { JOBS_WORKERS: 'false' } }),
    { logger: ['error', 'warn'] },
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
