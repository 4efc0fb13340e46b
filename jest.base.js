// Shared jest settings: TypeScript through @swc/jest (type checking is `tsc -b`'s job),
// and workspace packages resolved to their sources so tests never need a build.
/** @type {import('jest').Config} */
module.exports = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }],
  },
  moduleNameMapper: {
    // Services by name too (tests never reach into ../../services/*/src), and each `/testing` entry.
    '^@trackstream/(cli|ingest-gateway|projector|query-api|mlflow-server)/testing$': '<rootDir>/services/$1/src/testing/index.ts',
    '^@trackstream/(ingest-gateway|query-api|mlflow-server)$': '<rootDir>/services/$1/src/index.ts',
    '^@trackstream/([a-z0-9-]+)/testing$': '<rootDir>/packages/$1/src/testing/index.ts',
    '^@trackstream/([a-z0-9-]+)$': '<rootDir>/packages/$1/src/index.ts',
    '^@trackstream/([a-z0-9-]+)/testing$': '<rootDir>/packages/$1/src/testing/index.ts',
  },
  modulePathIgnorePatterns: ['<rootDir>/.stack/', '<rootDir>/packages/[^/]+/dist/', '<rootDir>/services/[^/]+/dist/'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '<rootDir>/.stack/'],
};
