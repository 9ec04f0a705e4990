// `node --import tsx infra/bundling/bundle-function.ts FAMILY OUTDIR`: bundles one step family's
// handler. A separate process because CDK bundles synchronously and esbuild plugins need its async API.
import { build } from 'esbuild';
import { functionBuildOptions } from './function-build.ts';

const [family, outdir] = process.argv.slice(2);
if (!family || !outdir) {
  process.stderr.write('usage: bundle-function.ts FAMILY OUTDIR\n');
  process.exit(2);
}
await build(functionBuildOptions(family, outdir));
