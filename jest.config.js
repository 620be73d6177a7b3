/**
 * Three projects, one per layer: `unit` (pure cores, handlers with mocked clients, the CLI's
 * pieces), `infra` (the synthesized template: assertions, policy evaluation, bundles) and `e2e`
 * (the sandbox over real HTTP, the CLI as a process). `npm run test:unit` runs one of them.
 * @type {import('jest').Config}
 */
const layer = (name) => ({
  displayName: name,
  roots: [`<rootDir>/test/${name}`],
  testMatch: ['**/*.test.ts'],
  // Output of the code under test is shown only for a failing test (test/quiet-environment.js),
  // and one CloudFormation validator per worker serves every synth (see the file).
  testEnvironment: '<rootDir>/test/helpers/cfn-validate-environment.js',
  // Type-checking is `tsc --noEmit`'s job (npm test runs it first); with isolatedModules in
  // tsconfig.json, ts-jest only transpiles.
  // CommonJS output, so a lazy `await import(...)` (the CLI's) becomes a require jest can run.
  transform: { '^.+\\.tsx?$': ['ts-jest', { diagnostics: false, tsconfig: { module: 'commonjs', moduleResolution: 'node10' } }] },
  setupFiles: ['<rootDir>/test/setup-env.ts', '<rootDir>/test/helpers/cfn-validate-mock.js'],
  setupFilesAfterEnv: ['<rootDir>/test/setup-console.ts', 'aws-cdk-lib/testhelpers/jest-autoclean'],
});

module.exports = {
  projects: [layer('unit'), layer('infra'), layer('e2e')],
  // The run's shared synthesized templates, and one line on what a missing Node 24 skips.
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  // One worker per core: the suite is CPU-bound, and jest's default (cores - 1) leaves one of a
  // 2-core machine idle. Every file is parallel-safe (npx jest --maxWorkers=4 passes).
  maxWorkers: '100%',
  testTimeout: 60000,
};
