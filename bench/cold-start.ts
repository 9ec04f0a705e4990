// Cold start of each step Lambda as CDK builds it: synthesize the app with bundling (infra/bundling,
// exactly as `cdk synth` runs it), take each function's index.mjs from the cloud assembly,
// and time `import()` of it in fresh Node processes with the function's environment variables.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { App } from 'aws-cdk-lib';
import { buildApp } from '../infra/app.ts';
import { cdkJsonContext } from '../local/synthesize.ts';

/** Where bundles are imported from: inside the project, so a module left external (a credential
 * provider Lambda never reaches) would resolve from node_modules as the runtime resolves its own copy. */
const IMPORT_DIR = fileURLToPath(new URL('../node_modules/.cache/dr-runbook-bench/', import.meta.url));

export interface LambdaBundle {
  /** The step family (DR_RUNBOOK_FAMILY). */
  readonly family: string;
  /** Minified bundle size. */
  readonly bytes: number;
  /** A copy of index.mjs the import timings load. */
  readonly file: string;
  /** The function's environment variables (unresolved references left out). */
  readonly environment: Record<string, string>;
}

interface LambdaResource {
  Type: string;
  Properties?: {
    Code?: { S3Key?: string };
    Environment?: { Variables?: Record<string, unknown> };
  };
}

/** Synthesizes the default plan's stack with bundling and collects each step function's bundle. */
export async function cdkBundles(): Promise<LambdaBundle[]> {
  const outdir = mkdtempSync(join(tmpdir(), 'dr-runbook-bench-'));
  try {
    const app = new App({ outdir, context: cdkJsonContext() });
    const { stack } = await buildApp(app);
    const resources = app.synth().getStackByName(stack.stackName).template.Resources as Record<
      string,
      LambdaResource
    >;
    return Object.values(resources).flatMap((resource) => {
      const variables = resource.Properties?.Environment?.Variables ?? {};
      const family = variables.DR_RUNBOOK_FAMILY;
      const key = resource.Properties?.Code?.S3Key;
      if (resource.Type !== 'AWS::Lambda::Function' || typeof family !== 'string' || !key) return [];
      const source = join(outdir, `asset.${key.replace(/\.zip$/, '')}`, 'index.mjs');
      const file = join(IMPORT_DIR, family, 'index.mjs');
      mkdirSync(join(IMPORT_DIR, family), { recursive: true });
      copyFileSync(source, file);
      const environment = Object.fromEntries(
        Object.entries(variables).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
      );
      return [{ family, bytes: statSync(source).size, file, environment }];
    });
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

const IMPORT_SCRIPT =
  'const t = performance.now(); await import(process.env.BENCH_MODULE); ' +
  'process.stdout.write(String(performance.now() - t));';

/** Milliseconds one fresh Node process takes to import `file` (module evaluation included). */
export function importMilliseconds(file: string, environment: Record<string, string>): number {
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', IMPORT_SCRIPT], {
    env: {
      PATH: process.env.PATH ?? '',
      AWS_REGION: 'us-west-2',
      ...environment,
      BENCH_MODULE: pathToFileURL(file).href,
    },
    encoding: 'utf8',
  });
  const ms = Number(child.stdout);
  if (child.status !== 0 || !Number.isFinite(ms))
    throw new Error(`importing ${file} failed (exit ${child.status}): ${child.stderr.slice(0, 500)}`);
  return ms;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of nothing');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

export interface ColdStart {
  readonly family: string;
  readonly bytes: number;
  readonly importMs: readonly number[];
  readonly medianImportMs: number;
}

/** Size and median import time of each bundle, over `runs` fresh processes each. */
export function measureColdStarts(bundles: readonly LambdaBundle[], runs: number): ColdStart[] {
  return bundles.map((bundle) => {
    const importMs = Array.from({ length: runs }, () => importMilliseconds(bundle.file, bundle.environment));
    return { family: bundle.family, bytes: bundle.bytes, importMs, medianImportMs: median(importMs) };
  });
}
