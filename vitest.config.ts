import {availableParallelism} from 'node:os'

import {defineConfig} from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/commands/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // The command tests wait on the CLI processes they spawn: two files at a time even on two cores (402 s → 271 s
    // on the CI machine), where vitest's default would run one.
    maxWorkers: Math.max(2, availableParallelism()),
  },
})
