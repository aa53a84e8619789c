import {access, constants} from 'node:fs/promises'

/** Where Chromium usually is: Debian's package first. CHROMIUM_PATH wins over all of them. */
const CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
]

/**
 * The system Chromium the browser tests drive. Missing is a failure, not a skip: the suite exists to open the reports
 * in a real browser, and a green run without one would claim what it did not check.
 */
export async function findChromium(): Promise<string> {
  const candidates = process.env.CHROMIUM_PATH ? [process.env.CHROMIUM_PATH] : CANDIDATES
  for (const path of candidates) {
    const found = await access(path, constants.X_OK).then(
      () => true,
      () => false,
    )
    if (found) return path
  }
  throw new Error(
    `No Chromium found (looked at ${candidates.join(', ')}). The browser tests need one: install it ` +
      '(Debian/Ubuntu: sudo apt-get install -y --no-install-recommends chromium) or set CHROMIUM_PATH to its executable.',
  )
}
