#!/usr/bin/env node
// Entry point of the `dr-runbook` command. The project is TypeScript run from source:
// tsx's loader compiles it on the fly, so `npx dr-runbook` needs no build step.
import { register } from 'tsx/esm/api';

// The SDK warns on every start that it will need Node 22 from 2027: noise for a CLI user.
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = (warning, ...rest) => {
  const name =
    typeof warning === 'object' ? warning?.name : typeof rest[0] === 'string' ? rest[0] : rest[0]?.type;
  if (name === 'NodeVersionSupportWarning' || String(warning).includes('NodeVersionSupportWarning')) return;
  emitWarning(warning, ...rest);
};

register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
