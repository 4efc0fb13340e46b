// Every tier. The global setup finds or starts Kafka, Postgres and ClickHouse once per run.
const base = require('./jest.base');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  testMatch: ['**/*.unit.test.ts', '**/*.int.test.ts', '**/*.e2e.test.ts'],
  globalSetup: '<rootDir>/packages/testkit/src/global-setup.ts',
  globalTeardown: '<rootDir>/packages/testkit/src/global-teardown.ts',
  testTimeout: 60_000,
};
