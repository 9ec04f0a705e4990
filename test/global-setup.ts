// Jest global setup (runs once, before any test file, in Jest's own process):
//
// - CloudFormation validation of every synth is off for the whole run (CDK_VALIDATION=false, read by
//   aws-cdk-lib; it costs seconds per synth). Set here, it reaches the test workers and every process
//   they start; test/setup.ts sets it for the test files too. One test turns it back on and checks
//   every example with it (test/infra/nag.test.ts).
// - When the run includes tests that read synthesized templates (test/infra, test/runbook), every
//   example plan and the biggest plans are synthesized once, in two plain Node processes side by
//   side, into a template cache those tests read (local/synthesize.ts synthesizeTemplate). The
//   cache lives as long as this run.
//
// Jest loads this file as CommonJS: it imports nothing of the project (whose modules are ES only).
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '@jest/types';

/** The same name as TEMPLATE_CACHE_ENV in local/synthesize.ts (test/infra/template.test.ts checks). */
export const TEMPLATE_CACHE_VARIABLE = 'DR_RUNBOOK_TEMPLATE_CACHE';

/** Folders whose tests read synthesized templates. */
const TEMPLATE_READERS = ['test/infra', 'test/runbook'];

/** Whether this run includes a test file under TEMPLATE_READERS (every file when no path is given). */
function runsTemplateReaders(globalConfig: Config.GlobalConfig, rootDir: string): boolean {
  const patterns = globalConfig.testPathPatterns;
  if (!patterns.isSet() || globalConfig.onlyChanged || globalConfig.findRelatedTests) return true;
  const matcher = patterns.toExecutor({ rootDir });
  return TEMPLATE_READERS.some((dir) =>
    readdirSync(join(rootDir, dir))
      .filter((file) => file.endsWith('.test.ts'))
      .some((file) => matcher.isMatch(join(rootDir, dir, file))),
  );
}

/** Runs test/infra/synthesize-examples.ts with `args`; what it prints on stderr is passed on. */
function synthesize(rootDir: string, args: string[]): Promise<void> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/infra/synthesize-examples.ts', ...args], {
      cwd: rootDir,
      env: process.env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('close', (code) => {
      // A plan that did not synthesize is simply not cached: the test that reads it synthesizes
      // it again and fails with the reason.
      if (code !== 0) process.stderr.write(`\nglobal setup: ${args.join(' ')} failed (exit ${code}):\n`);
      if (stderr) process.stderr.write(`\n${stderr}`);
      done();
    });
  });
}

export default async function globalSetup(
  globalConfig: Config.GlobalConfig,
  projectConfig: Config.ProjectConfig,
): Promise<void> {
  process.env.CDK_VALIDATION ??= 'false';
  const cache = mkdtempSync(join(tmpdir(), 'dr-runbook-templates-'));
  process.env[TEMPLATE_CACHE_VARIABLE] = cache;
  process.on('exit', () => rmSync(cache, { recursive: true, force: true }));
  if (!runsTemplateReaders(globalConfig, projectConfig.rootDir)) return;
  // Side by side: one process per core.
  await Promise.all([
    synthesize(projectConfig.rootDir, ['cache', 'examples']),
    synthesize(projectConfig.rootDir, ['cache', 'biggest']),
  ]);
}
