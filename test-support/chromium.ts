import { type Browser, chromium } from 'playwright-core'

/**
 * Debian's Chromium, headless, driven by playwright-core (browsers cannot be downloaded here). The
 * flags keep it off the network: without the background-networking ones it keeps dialling out.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  })
}
