// Headless Chromium for the end-to-end tests: Debian's package (or TRANSFORMER_CHROMIUM), launched without the
// network it reaches for at start (this machine's closed network refuses it, noisily).

import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const chromiumPath = process.env.TRANSFORMER_CHROMIUM ?? '/usr/bin/chromium';
if (!existsSync(chromiumPath))
  throw new Error(`no Chromium at ${chromiumPath}: install Debian's chromium package or set TRANSFORMER_CHROMIUM`);

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
