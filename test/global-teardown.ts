import { rm } from 'node:fs/promises';
import path from 'node:path';

import { onServer, PGLITE_TEMPLATE_VARIABLE, serverUrl, templateName } from './helpers/test-database';

export default async function globalTeardown(): Promise<void> {
  const template = process.env[PGLITE_TEMPLATE_VARIABLE];
  if (template) {
    await rm(path.dirname(template), { recursive: true, force: true });
  }
  const server = serverUrl();
  if (server) {
    await onServer(server, `DROP DATABASE IF EXISTS "${templateName(server)}" WITH (FORCE)`);
  }
}
