import { onServer, serverUrl, templateName } from './helpers/test-database';

export default async function globalTeardown(): Promise<void> {
  const server = serverUrl();
  if (server) {
    await onServer(server, `DROP DATABASE IF EXISTS "${templateName(server)}" WITH (FORCE)`);
  }
}
