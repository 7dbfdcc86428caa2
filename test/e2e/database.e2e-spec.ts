import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connectionOptions, withDatabase } from '../../src/prisma/pg-connection';
import { TcpProxy } from '../helpers/tcp-proxy';
import { startServer } from '../helpers/test-app';
import { createTestDatabase } from '../helpers/test-database';

describe('database', () => {
  it('reports not ready while the database is unreachable, and recovers by itself', async () => {
    const database = await createTestDatabase();
    const target = connectionOptions(database.url);
    const proxy = new TcpProxy(target.host!, target.port!);
    await proxy.start();
    const proxied = new URL(database.url);
    proxied.port = String(proxy.port);
    const { app, api } = await startServer({ ...database.settings, DATABASE_URL: proxied.toString() });
    try {
      expect((await api.get('/health/ready')).status).toBe(200);

      await proxy.cut();
      const down = await api.get('/health/ready');
      expect(down.status).toBe(503);
      expect(down.body).toMatchObject({
        status: 503,
        code: 'NOT_READY',
        detail: 'Not ready: database unavailable.',
      });
      expect((await api.get('/health/live')).status).toBe(200);

      await proxy.restore();
      const up = await api.get('/health/ready');
      expect(up.status).toBe(200);
    } finally {
      await app.close();
      await proxy.stop();
      await database.drop();
    }
  });

  it('starts the embedded database in a data folder, migrates it and keeps it across restarts', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'listings-data-'));
    try {
      for (let run = 0; run < 2; run += 1) {
        const { app, api } = await startServer({ DATABASE_URL: undefined, DATA_DIR: dataDir });
        try {
          expect((await api.get('/health/ready')).status).toBe(200);
        } finally {
          await app.close();
        }
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses a test database whose name does not say test', async () => {
    const { assertTestDatabase } = await import('../helpers/test-database');
    expect(() => assertTestDatabase(withDatabase('postgresql://u@localhost:5432/x', 'production'))).toThrow(
      /must contain "test"/,
    );
  });
});
