#!/usr/bin/env node
// Entry for `npx heta`: runs the CLI bundle (bin/cliBundle.mjs builds it at `npm install`, and again here
// whenever a source it came from has changed) in this same process, so Ctrl-C reaches the CLI itself: no
// wrapper process forwards it or kills the CLI mid-clean-up. Where no bundle can be built, the sources
// run through tsx's loader instead.
import { freshBundle } from './cliBundle.mjs';

const bundle = await freshBundle();
if (bundle) {
  await import(bundle);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
