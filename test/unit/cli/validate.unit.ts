import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from '@jest/globals';
import { main, type Output } from '../../../cli/main.ts';
import { summarizePlan, validateCommand } from '../../../cli/validate.ts';
import { examplePlan, examplePlanInput, examplesDir } from '../../fixtures.ts';

describe('validate', () => {
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

  const EXAMPLES = ['active-active', 'backup-restore', 'multi-tier', 'pilot-light', 'warm-standby'];

  // biome-ignore lint/suspicious/noExplicitAny: tests write deliberately wrong JSON into any field
  type EditablePlan = Record<string, any>;

  /** An example (as written) after `edit`, written to a file of its own. */
  function editedPlan(file: string, edit: (plan: EditablePlan) => void, example = 'warm-standby'): string {
    const plan = structuredClone(examplePlanInput(example)) as EditablePlan;
    edit(plan);
    return writePlan(file, plan);
  }

  describe('dr-runbook validate', () => {
    it('exits 0 for every example plan, one summary line each (and its warnings under it)', async () => {
      const output = captured();
      const files = EXAMPLES.map((name) => `${examplesDir}${name}.json`);
      const code = await validateCommand(files, output);
      expect(code).toBe(0);
      expect(output.stderr).toEqual([]);
      const summaries = output.stdout.filter((line) => !line.startsWith('  warning: '));
      expect(summaries).toHaveLength(EXAMPLES.length);
      summaries.forEach((line, i) => {
        expect(line.startsWith(`${files[i]}: valid — plan "`)).toBe(true);
      });
    });

    it('summarizes regions, objectives and the steps in order, approval gates included', async () => {
      const output = captured();
      const code = await main(
        ['validate', `${examplesDir}warm-standby.json`, `${examplesDir}backup-restore.json`],
        output,
      );
      expect(code).toBe(0);
      expect(output.stdout).toEqual([
        `${examplesDir}warm-standby.json: valid — plan "shop": us-east-1 → us-west-2; RTO 30 min, RPO 300 s; 3 resources in 2 steps: db rds-read-replica + web auto-scaling-group → dns route53-records`,
        expect.stringMatching(
          /^ {2}warning: triggers\.alarms\[0\]: "shop-primary-health" is in the primary region us-east-1/,
        ),
        expect.stringMatching(
          /^ {2}warning: resources\[2\]: route53-records changes records through Route 53's API/,
        ),
        `${examplesDir}backup-restore.json: valid — plan "reports": us-east-2 → us-west-1; RTO 240 min, RPO 86400 s; 3 resources in 3 steps: approval (always) → db rds-snapshot-restore + app auto-scaling-group → dns route53-records`,
      ]);
    });

    it('lists the steps of a multi-tier plan as written', () => {
      expect(summarizePlan(examplePlan('multi-tier'))).toBe(
        'plan "market": us-east-1 → us-west-2; RTO 30 min, RPO 60 s; 7 resources in 4 steps: ' +
          'orders-db rds-read-replica + inventory aurora-global-database + sessions dynamodb-global-table' +
          ' → web auto-scaling-group + workers auto-scaling-group → flush-cache lambda-hook → dns route53-records',
      );
    });

    it('exits 1 for a plan whose traffic step comes before its database step, naming steps[0]', async () => {
      const file = editedPlan('traffic-first.json', (p) => {
        p.steps = [{ resources: ['dns'] }, { resources: ['db', 'web'] }];
      });
      const output = captured();
      expect(await main(['validate', file], output)).toBe(1);
      expect(output.stdout).toEqual([
        `${file}: invalid DR plan (1 problem):`,
        'steps[0]: moves traffic ("dns") before database "db" (in the later steps[1]) has recovered: put traffic resources in a step after every database and compute resource',
      ]);
    });

    it('names an unknown id in steps in exactly one line', async () => {
      const file = editedPlan(
        'unknown-id.json',
        (p) => {
          p.steps[1].resources.push('cache');
        },
        'multi-tier',
      );
      const output = captured();
      expect(await main(['validate', file], output)).toBe(1);
      expect(output.stdout).toEqual([
        `${file}: invalid DR plan (1 problem):`,
        'steps[1].resources[2]: "cache" is not a resource id: use one of "orders-db", "inventory", "sessions", "web", "workers", "flush-cache", "dns"',
      ]);
    });

    it('names a duplicate resource id in exactly one line', async () => {
      const file = editedPlan('duplicate-id.json', (p) => {
        p.resources[2].id = 'db';
      });
      const output = captured();
      expect(await main(['validate', file], output)).toBe(1);
      expect(output.stdout).toEqual([
        `${file}: invalid DR plan (1 problem):`,
        'resources[2].id: "db" is already the id of resources[0]: give each resource its own id',
      ]);
    });

    it('exits 1 for a key that appears twice, naming its path', async () => {
      const text = JSON.stringify(examplePlanInput(), null, 2).replace('"min": 2,', '"min": 2,\n"min": 3,');
      const file = writePlan('repeated-key.json', text);
      const output = captured();
      expect(await main(['validate', file], output)).toBe(1);
      expect(output.stdout).toEqual([
        `${file}: invalid DR plan (1 problem):`,
        'resources[1].capacity.min: appears twice in the same object (JSON keeps only the last): remove one of them',
      ]);
    });

    it('exits 1 and names resources[1].capacity.desired when it is more than max', async () => {
      const file = editedPlan('too-many.json', (p) => {
        p.resources[1].capacity.desired = 100;
      });
      const output = captured();
      const code = await main(['validate', file], output);
      expect(code).toBe(1);
      expect(output.stdout).toContain(
        'resources[1].capacity.desired: 100 is more than max (8): set min ≤ desired ≤ max',
      );
    });

    it('validates several files and fails if any one is invalid', async () => {
      const output = captured();
      const bad = writePlan('empty.json', {});
      const code = await main(['validate', `${examplesDir}pilot-light.json`, bad], output);
      expect(code).toBe(1);
      expect(output.stdout[0]).toContain('pilot-light.json: valid');
      expect(output.stdout).toContain(`${bad}: invalid DR plan (4 problems):`);
      expect(output.stdout).toContain('name: is required: add a string');
      expect(output.stdout).toContain('regions: is required: add an object');
      expect(output.stdout).toContain('resources: is required: add an array');
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

      const file = editedPlan('string.json', (p) => {
        p.resources[1].capacity.desired = '4';
      });
      const failed = run(process.execPath, [bin, 'validate', file]);
      await expect(failed).rejects.toMatchObject({
        code: 1,
        stdout: expect.stringContaining(
          'resources[1].capacity.desired: must be a number, got the string "4"',
        ),
      });
      // Two Node processes that load TypeScript through tsx: seconds each on a busy 2-core machine.
    }, 30_000);
  });
});
