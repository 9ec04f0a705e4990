// ESM project: jest runs with --experimental-vm-modules (see package.json "jest"),
// @swc/jest strips types (TypeScript 7 is used for type checking only).
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'es6' } },
    ],
  },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  // Turns CloudFormation validation off and synthesizes the example plans once per run (see the file).
  globalSetup: '<rootDir>/test/global-setup.ts',
  setupFilesAfterEnv: ['<rootDir>/test/setup.ts'],
  restoreMocks: true,
  reporters: ['default', '<rootDir>/test/summary-reporter.js'],
};
