#!/usr/bin/env node
// Entry point of the `dr-runbook` command. The project is TypeScript run from source:
// tsx's loader compiles it on the fly, so `npx dr-runbook` needs no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
