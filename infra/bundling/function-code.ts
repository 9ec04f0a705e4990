// The Lambda code asset of a step family, bundled on this machine by infra/bundling/bundle-function.ts
// (esbuild with the schema-key plugin; NodejsFunction cannot take esbuild plugins). No Docker.
import { spawnSync } from 'node:child_process';
import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import { Code } from 'aws-cdk-lib/aws-lambda';
import { handlerSource, PROJECT_ROOT } from './function-build.ts';

/** Writes a family's index.mjs into a directory; run from the project root. */
const BUNDLER = 'infra/bundling/bundle-function.ts';

/** CDK local bundling for one family; it bundles or throws, so Docker is never asked. */
export class LocalFunctionBundling {
  /** Both are part of the asset's cache key (CDK serializes this object): one key per handler. */
  readonly family: string;
  readonly source: string;

  constructor(family: string) {
    this.family = family;
    this.source = handlerSource(family);
  }

  tryBundle(outputDir: string): boolean {
    const result = spawnSync(process.execPath, ['--import', 'tsx', BUNDLER, this.family, outputDir], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
    });
    if (result.status !== 0) {
      const output = `${result.stderr ?? ''}${result.stdout ?? ''}`.trim() || String(result.error ?? '');
      throw new Error(`bundling ${this.source} failed (exit ${result.status}):\n${output}`);
    }
    return true;
  }
}

/** `family`'s handler as an asset whose hash is that of the bundle, so only real changes redeploy. */
export function functionCode(family: string): Code {
  return Code.fromAsset(PROJECT_ROOT, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      local: new LocalFunctionBundling(family),
      // Required by the type; never pulled, since local bundling never declines.
      image: DockerImage.fromRegistry('dr-runbook-local-bundling-only'),
    },
  });
}
