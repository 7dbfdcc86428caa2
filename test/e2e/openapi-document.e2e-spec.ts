import { readFileSync } from 'node:fs';
import path from 'node:path';

import { useTestApp } from '../helpers/test-app';

/**
 * Compiled by ts-jest with the @nestjs/swagger CLI plugin, as `nest build` compiles (jest.config.js):
 * the document a running server builds is the committed one, property for property.
 */
describe('the OpenAPI document', () => {
  const server = useTestApp();

  it('served at /docs/openapi.json is the committed openapi.json', async () => {
    const committed: unknown = JSON.parse(
      readFileSync(path.resolve(__dirname, '../../openapi.json'), 'utf8'),
    );
    const response = await fetch(new URL('/docs/openapi.json', server.api.baseUrl));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(committed);
  });
});
