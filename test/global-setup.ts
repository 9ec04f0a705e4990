// Jest global setup (runs once, before any test file, in Jest's own process):
//
// - CloudFormation validation of every synth is off for the whole run (CDK_VALIDATION=false, read by
//   aws-cdk-lib; it costs seconds per synth). Set here, it reaches the test workers and every process
//   they start; test/setup.ts sets it for the test files too. Only the checks of every example that
//   test/infra/nag.part.ts reads synthesize with it on (test/infra/example-checks.ts).
// - The run's shared services start in one plain Node process (test/test-services.ts): templates,
//   synthesized once per plan (local/synthesize.ts synthesizeTemplate asks it through
//   SYNTH_SERVICE_VARIABLE), and one moto server per Jest worker (test/e2e/moto.ts asks it through
//   TEST_SERVICES_VARIABLE). The setup waits only until it listens: the tests start at once, and a
//   test that needs a template or moto before it is ready waits for that alone. When the run
//   includes tests that read templates (test/infra, test/runbook) it synthesizes the examples and
//   the biggest plans ahead (and, for test/infra, the validation checks of nag.part.ts); when it
//   includes test/e2e it starts the moto servers ahead.
//
// Jest loads this file as CommonJS: it imports nothing of the project (whose modules are ES only).
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '@jest/types';

/** The same name as SYNTH_SERVICE_ENV in local/synthesize.ts (test/infra/template.part.ts checks). */
export const SYNTH_SERVICE_VARIABLE = 'DR_RUNBOOK_SYNTH_SERVICE';
/** Where the global teardown finds the services process (both run in Jest's own process). */
export const SERVICES_PROCESS = Symbol.for('dr-runbook.test-services');
/** Where test/e2e/moto.ts asks for its worker's moto server. */
export const TEST_SERVICES_VARIABLE = 'DR_RUNBOOK_TEST_SERVICES';

/** Whether this run includes a test file under one of `dirs` (every file when no path is given). */
function runsTestsIn(dirs: string[], globalConfig: Config.GlobalConfig, rootDir: string): boolean {
  const patterns = globalConfig.testPathPatterns;
  if (!patterns.isSet() || globalConfig.onlyChanged || globalConfig.findRelatedTests) return true;
  const matcher = patterns.toExecutor({ rootDir });
  return dirs.some((dir) =>
    readdirSync(join(rootDir, dir))
      .filter((file) => file.endsWith('.test.ts'))
      .some((file) => matcher.isMatch(join(rootDir, dir, file))),
  );
}

/** Starts test/test-services.ts and resolves to its URL once it listens. */
function startServices(rootDir: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/test-services.ts', ...args], {
      cwd: rootDir,
      env: process.env,
      // Its standard input stays open while Jest runs: when it closes, the services stop.
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    // Stopped by test/global-teardown.ts, which waits for it; this is for a run that ends otherwise.
    process.on('exit', () => child.kill('SIGTERM'));
    (globalThis as { [SERVICES_PROCESS]?: ChildProcess })[SERVICES_PROCESS] = child;
    child.on('error', reject);
    child.on('exit', (code) =>
      reject(new Error(`test/test-services.ts exited (${code}) before it listened`)),
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (!line) return;
      // Nothing of the child keeps Jest's own process alive once the run is over.
      child.unref();
      child.stdout.destroy();
      (child.stdin as unknown as { unref(): void }).unref();
      resolve(`http://127.0.0.1:${(JSON.parse(line) as { port: number }).port}`);
    });
  });
}

export default async function globalSetup(
  globalConfig: Config.GlobalConfig,
  projectConfig: Config.ProjectConfig,
): Promise<void> {
  process.env.CDK_VALIDATION ??= 'false';
  const { rootDir } = projectConfig;
  const args = [
    ...(runsTestsIn(['test/infra', 'test/runbook'], globalConfig, rootDir) ? ['--prewarm'] : []),
    ...(runsTestsIn(['test/infra'], globalConfig, rootDir) ? ['--checks'] : []),
    // One: the tests against moto are one file (test/e2e/against-moto.test.ts); another worker asks.
    ...(runsTestsIn(['test/e2e'], globalConfig, rootDir) ? ['--motos', '1'] : []),
  ];
  const url = await startServices(rootDir, args);
  process.env[SYNTH_SERVICE_VARIABLE] = url;
  process.env[TEST_SERVICES_VARIABLE] = url;
}
