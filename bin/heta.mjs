#!/usr/bin/env node
// Entry for `npx heta`: runs the TypeScript CLI in this same process through tsx's loader, so no build
// step is needed and Ctrl-C reaches the CLI itself: no wrapper process forwards it or kills the CLI
// mid-clean-up.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
