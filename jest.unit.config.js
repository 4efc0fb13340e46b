// Unit tier only: pure logic, no servers started.
const base = require('./jest.base');

/** @type {import('jest').Config} */
module.exports = { ...base, testMatch: ['**/*.unit.test.ts'] };
