import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from '@jest/globals';
import { main, type Output } from '../../../cli/main.ts';
import { examplePlanInput, examplesDir } from '../../fixtures.ts';

function captured(): Output & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (l) => stdout.push(l), err: (l) => stderr.push(l) };
}

const workDir = mkdtempSync(join(tmpdir(), 'dr-runbook-validate-'));
function writePlan(name: string, content: unknown): string {
  const file = join(workDir, name);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

describe('dr-runbook validate', () => {
  it('exits 0 with a one-line summary for a valid plan', async () => {
    const output = captured();
    const code = await main(['validate', `${examplesDir}warm-standby.json`], output);
    expect(code).toBe(0);
    expect(output.stdout).toHaveLength(1);
    expect(output.stdout[0]).toContain('valid — plan "shop": us-east-1 → us-west-2');
  });

  it('exits 1 and names compute.capacity.desired when it is more than max', async () => {
    const plan = examplePlanInput() as { compute: { capacity: { desired: unknown } } };
    plan.compute.capacity.desired = 100;
    const output = captured();
    const code = await main(['validate', writePlan('too-many.json', plan)], output);
    expect(code).toBe(1);
    expect(output.stdout).toContain(
      'compute.capacity.desired: 100 is more than max (8): set min ≤ desired ≤ max',
    );
  });

  it('validates several files and fails if any one is invalid', async () => {
    const output = captured();
    const bad = writePlan('empty.json', {});
    const code = await main(['validate', `${examplesDir}pilot-light.json`, bad], output);
    expect(code).toBe(1);
    expect(output.stdout[0]).toContain('pilot-light.json: valid');
    expect(output.stdout).toContain(`${bad}: invalid DR plan (6 problems):`);
    expect(output.stdout).toContain('name: is required: add a string');
    expect(output.stdout).toContain('regions: is required: add an object');
  });

  it('reports a missing file in one line, without a stack trace', async () => {
    const output = captured();
    const code = await main(['validate', join(workDir, 'nope.json')], output);
    expect(code).toBe(1);
    expect(output.stdout).toEqual([`${join(workDir, 'nope.json')}: no such file: check the path`]);
  });

  it('reports bad JSON in one line', async () => {
    const output = captured();
    const file = writePlan('broken.json', '{"name": "shop",');
    const code = await main(['validate', file], output);
    expect(code).toBe(1);
    expect(output.stdout).toHaveLength(1);
    expect(output.stdout[0]).toMatch(/broken\.json: is not valid JSON \(.+\): fix the syntax$/);
  });

  it('exits 2 with usage when no file is named', async () => {
    const output = captured();
    expect(await main(['validate'], output)).toBe(2);
    expect(output.stderr[0]).toContain('usage: dr-runbook validate FILE...');
  });

  it('exits 2 on an unknown option', async () => {
    const output = captured();
    expect(await main(['validate', '--strict', 'x.json'], output)).toBe(2);
    expect(output.stderr[0]).toMatch(/Unknown option '--strict'/);
  });

  it('exits 2 on an unknown command', async () => {
    const output = captured();
    expect(await main(['frobnicate'], output)).toBe(2);
    expect(output.stderr).toEqual([
      'dr-runbook: unknown command "frobnicate": run "dr-runbook help" for the list',
    ]);
  });
});

describe('the dr-runbook executable', () => {
  const bin = fileURLToPath(new URL('../../../cli/bin.js', import.meta.url));
  const run = promisify(execFile);

  it('runs from source and returns the command exit code', async () => {
    const ok = await run(process.execPath, [bin, 'validate', `${examplesDir}active-active.json`]);
    expect(ok.stdout).toContain('active-active.json: valid');

    const plan = examplePlanInput() as { compute: { capacity: { desired: unknown } } };
    plan.compute.capacity.desired = '4';
    const failed = run(process.execPath, [bin, 'validate', writePlan('string.json', plan)]);
    await expect(failed).rejects.toMatchObject({
      code: 1,
      stdout: expect.stringContaining('compute.capacity.desired: must be a number, got the string "4"'),
    });
    // Two Node processes that load TypeScript through tsx: seconds each on a busy 2-core machine.
  }, 30_000);
});
