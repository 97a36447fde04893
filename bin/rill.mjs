#!/usr/bin/env node
// The `rill` command. rill is written in TypeScript and run through tsx's loader, so there is no
// build step between editing a file and running it.
import { register } from 'tsx/esm/api';

register();
await import('./cli.ts');
