import {defineConfig} from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    setupFiles: ['test/setup-warnings.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // CLI tests spawn processes and servers; two cores cannot run many files at once usefully.
    maxWorkers: 2,
    minWorkers: 1,
  },
})
