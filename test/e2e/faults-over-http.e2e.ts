// A handful of the fault matrix's cases over HTTP against moto (the in-process matrix is
// test/runbook/fault-matrix.test.ts): the fault is injected between the SDK and the emulator by an
// adapter only tests install, and the run must survive or fail safe exactly as in process.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from '@jest/globals';
import { main } from '../../cli/main.ts';
import { readEnvironment } from '../../local/environment-state.ts';
import { seedEnvironment } from '../../local/seed.ts';
import { simulate } from '../../local/simulate.ts';
import { accessDenied, awsError, examplePlan } from '../fixtures.ts';
import { useMoto } from './moto.ts';

const moto = useMoto();
const plan = examplePlan();
const TABLE = 'dr-runbook-shop';

/** Fails `command` with `error`, the first `times` times it is sent. */
function failing(command: string, error: () => Error, times = Number.POSITIVE_INFINITY) {
  let left = times;
  return (sent: string) => {
    if (sent !== command || left <= 0) return undefined;
    left -= 1;
    return error();
  };
}

function run(mode: 'drill' | 'failover', faults: (command: string) => Error | undefined) {
  return simulate({
    plan,
    mode,
    scenario: 'none',
    endpoint: moto.endpoint,
    seed: true,
    waitMilliseconds: 0,
    write: () => undefined,
    faults,
  });
}

describe('faults over HTTP against moto', () => {
  it('a failover whose promotion is throttled twice and whose topic denies Publish SUCCEEDS: retried, recovered, traffic moved, the failed sink named', async () => {
    const throttled = failing('PromoteReadReplica', () => awsError('Throttling', 400, 'Rate exceeded'), 2);
    const denied = failing('Publish', accessDenied);
    const failed: string[] = [];
    const result = await run('failover', (command) => {
      const error = throttled(command) ?? denied(command);
      if (error) failed.push(command);
      return error;
    });

    expect(result.run.status).toBe('SUCCEEDED');
    expect(result.report?.outcome).toBe('succeeded');
    // The promotion got through after both throttles; every Publish was refused.
    expect(failed).toEqual(expect.arrayContaining(['PromoteReadReplica', 'PromoteReadReplica', 'Publish']));
    expect(failed.filter((command) => command === 'PromoteReadReplica')).toHaveLength(2);
    expect(result.notes).toContain(`${failed.length} request(s) failed by the test's fault injector`);
    expect(result.report?.sinksFailed.map((f) => f.sink)).toEqual(['sns']);
    const after = await readEnvironment(result.plan, moto.endpoint, TABLE);
    expect(after.records['www.shop.example.com CNAME']).toBe('web-standby.us-west-2.shop.example.com');
  }, 60_000);

  it('a drill whose temporary database cannot be deleted fails, naming what it left behind', async () => {
    const result = await run('drill', failing('DeleteDBInstance', accessDenied));

    expect(result.run).toMatchObject({ status: 'FAILED', error: 'DrillRevertFailed' });
    expect(result.report?.outcome).toBe('failed');
    expect(JSON.stringify(result.report)).toMatch(/drill-shop-/);
    // Everything else was put back; the lock is free for the next failover.
    const after = await readEnvironment(result.plan, moto.endpoint, TABLE);
    expect(after.groups['shop-web-standby']).toMatchObject({ min: 1, desired: 1, max: 2 });
    expect(after.lock).toBeNull();

    // Once the cause is fixed, a revert of that run in the same emulator removes the leftover.
    const runId = result.report?.runId ?? '';
    // The plan as seeded (the emulator's hosted zone id), as --no-seed needs it.
    const planFile = join(mkdtempSync(join(tmpdir(), 'dr-runbook-plan-')), 'seeded.json');
    writeFileSync(planFile, JSON.stringify(result.plan));
    const out: string[] = [];
    const code = await main(
      [
        'simulate',
        '--plan',
        planFile,
        '--mode',
        'revert',
        '--run-id',
        runId,
        '--endpoint',
        moto.endpoint,
        '--no-seed',
      ],
      { out: (l) => out.push(l), err: (l) => out.push(l) },
    );
    expect(code).toBe(0);
    const cleaned = await readEnvironment(result.plan, moto.endpoint, TABLE);
    expect(Object.keys(cleaned.databases).filter((id) => id.startsWith('drill-shop-'))).toEqual([]);
  }, 90_000);

  it('dr-runbook unlock --endpoint breaks the lock a simulation left in the emulator', async () => {
    const seeded = await seedEnvironment(plan, moto.endpoint);
    await new DynamoDBClient({ region: plan.regions.recovery }).send(
      new PutItemCommand({
        TableName: seeded.resources.tableName,
        Item: {
          pk: { S: 'LOCK#shop' },
          sk: { S: 'LOCK' },
          runId: { S: 'drill-stuck' },
          mode: { S: 'drill' },
        },
      }),
    );
    const out: string[] = [];

    const code = await main(['unlock', '--confirm', 'shop', '--endpoint', moto.endpoint], {
      out: (l) => out.push(l),
      err: (l) => out.push(l),
    });

    expect(code).toBe(0);
    expect(out[0]).toContain('held by run drill-stuck (drill');
    expect((await readEnvironment(seeded.plan, moto.endpoint, TABLE)).lock).toBeNull();
  }, 60_000);
});
