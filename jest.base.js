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
    // Every workspace by name, packages and services alike (tests never reach into ../../services/*/src), and each
    // one's `/testing` entry. Jest tries the paths in order: a package first, then a service of that name.
    '^@trackstream/([a-z0-9-]+)/testing$': ['<rootDir>/packages/$1/src/testing/index.ts', '<rootDir>/services/$1/src/testing/index.ts'],
    '^@trackstream/([a-z0-9-]+)$': ['<rootDir>/packages/$1/src/index.ts', '<rootDir>/services/$1/src/index.ts'],
  },
  modulePathIgnorePatterns: ['<rootDir>/.stack/', '<rootDir>/packages/[^/]+/dist/', '<rootDir>/services/[^/]+/dist/'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '<rootDir>/.stack/'],
};
