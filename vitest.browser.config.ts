import {defineConfig} from 'vitest/config'

// The HTML reports opened in a real browser (headless Chromium through playwright-core): `npm run test:browser`.
// Not part of `npm test`, which must pass on a machine without Chromium; .ci/run installs it and runs this too.
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
})
