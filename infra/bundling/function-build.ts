// How a step family's handler becomes the Lambda's index.mjs: one minified ES module with the AWS
// SDK inside, so the code deployed is the code tested (the runtime's SDK may lag ours).
import { fileURLToPath } from 'node:url';
import type { BuildOptions } from 'esbuild';
import { inlineSchemaKeysPlugin } from './inline-schema-keys.ts';

/** The project root: esbuild resolves node_modules from here. */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The family handler's source, relative to the project root. */
export function handlerSource(family: string): string {
  return `functions/${family}/handler.ts`;
}

/**
 * Credential providers the SDK's default chain imports lazily, after the environment variables
 * fail. Lambda always sets AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN, so these
 * (SSO, profiles, processes, web identity, container and instance metadata, and the STS/SSO
 * clients behind them) never load; left out they cost nothing, bundled they cost ~130 KiB.
 * Were one ever reached it would resolve from the SDK the Node.js runtime ships.
 */
export const UNUSED_CREDENTIAL_PROVIDERS = [
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-web-identity',
  '@aws-sdk/credential-provider-http',
  '@smithy/credential-provider-imds',
] as const;

/** esbuild options that bundle `family`'s handler into `outdir`/index.mjs. */
export function functionBuildOptions(family: string, outdir: string): BuildOptions {
  return {
    absWorkingDir: PROJECT_ROOT,
    entryPoints: [handlerSource(family)],
    outfile: `${outdir}/index.mjs`,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node24',
    mainFields: ['module', 'main'],
    minify: true,
    // Error classes name themselves after their class (functions/shared/errors.ts) and Step Functions
    // Retry/Catch match those names: minification must not rename classes.
    keepNames: true,
    sourcemap: true,
    external: [...UNUSED_CREDENTIAL_PROVIDERS],
    // CommonJS dependencies inside an ES module bundle still call require().
    banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
    plugins: [inlineSchemaKeysPlugin],
    metafile: true,
    logLevel: 'warning',
  };
}
