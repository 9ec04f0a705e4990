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
  // Turns CloudFormation validation off and starts the run's services: each plan synthesized once, the
  // validation checks, one moto per worker (see the files); the teardown stops them.
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  testSequencer: '<rootDir>/test/sequencer.js',
  setupFilesAfterEnv: ['<rootDir>/test/setup.ts'],
  restoreMocks: true,
  reporters: ['default', '<rootDir>/test/summary-reporter.js'],
};
