/** Unit tests sit beside the code (`*.spec.ts`); e2e tests boot the app against a real database. */
// The Swagger plugin runs here as in `nest build`, so the document served in tests is the real one.
const swaggerPlugin = { path: '<rootDir>/test/swagger-plugin.js' };
// Packages published only as ES modules, loaded by Node itself in the tests (test/esm).
const moduleNameMapper = { '^request-filtering-agent$': '<rootDir>/test/esm/request-filtering-agent.cjs' };
const transform = {
  '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', astTransformers: { before: [swaggerPlugin] } }],
};

module.exports = {
  testTimeout: 60_000,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform,
      moduleNameMapper,
      testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/scripts/**/*.spec.ts'],
    },
    {
      displayName: 'e2e',
      testEnvironment: 'node',
      transform,
      moduleNameMapper,
      testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/global-setup.ts',
      globalTeardown: '<rootDir>/test/global-teardown.ts',
    },
  ],
};
