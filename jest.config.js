/**
 * Unit tests sit beside the code (`*.spec.ts`); e2e tests boot the app against a real database.
 *
 * TypeScript is stripped by SWC, without type checking (that is `npm run typecheck`), with the decorator
 * metadata Nest's dependency injection reads. One file is compiled by ts-jest with the @nestjs/swagger
 * CLI plugin, as `nest build` compiles: the test that the served OpenAPI document is the committed one
 * (the plugin needs the type checker, which SWC does not have).
 */
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];
const swaggerPlugin = { path: '<rootDir>/test/swagger-plugin.js' };
const tsJestWithPlugin = [
  'ts-jest',
  { tsconfig: 'tsconfig.json', astTransformers: { before: [swaggerPlugin] } },
];
/** The files that need the Swagger plugin's metadata. */
const DOCUMENT_TESTS = ['<rootDir>/test/e2e/openapi-document.e2e-spec.ts'];

// Packages published only as ES modules, loaded by Node itself in the tests (test/esm).
const moduleNameMapper = {
  // The aliases of src/ and test/ (tsconfig.json's paths).
  '^@/(.*)$': '<rootDir>/src/$1',
  '^@test/(.*)$': '<rootDir>/test/$1',
  '^request-filtering-agent$': '<rootDir>/test/esm/request-filtering-agent.cjs',
};
const e2e = {
  testEnvironment: 'node',
  moduleNameMapper,
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
};

module.exports = {
  // A hang fails in 15 s; the files that start real processes allow themselves more (jest.setTimeout).
  testTimeout: 15_000,
  // Two cores here: e2e files wait on sockets, timers and the database as much as they compute.
  maxWorkers: 2,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform: { '^.+\\.ts$': swc },
      moduleNameMapper,
      testMatch: [
        '<rootDir>/src/**/*.spec.ts',
        '<rootDir>/scripts/**/*.spec.ts',
        '<rootDir>/test/lint/**/*.spec.ts',
      ],
    },
    {
      ...e2e,
      displayName: 'e2e',
      transform: { '^.+\\.ts$': swc },
      testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'],
      testPathIgnorePatterns: ['/node_modules/', ...DOCUMENT_TESTS],
    },
    {
      ...e2e,
      displayName: 'e2e',
      transform: { '^.+\\.ts$': tsJestWithPlugin },
      testMatch: DOCUMENT_TESTS,
    },
  ],
};
