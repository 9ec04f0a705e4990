// The runbook end to end against moto, an independent AWS emulator: the real synthesized state
// machine, the real handlers, every SDK call over HTTP. Assertions read moto's state back.

import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeLaunchTemplateVersionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
import { describe, expect, it } from '@jest/globals';
import { main } from '../../cli/main.ts';
import { databaseClientsFor } from '../../functions/database/clients.ts';
import { setClientCustomizer } from '../../functions/shared/clients.ts';
import { AdapterLog, activateRun, deactivateRun, emulatorAdapters } from '../../local/emulator-adapters.ts';
import { readEnvironment } from '../../local/environment-state.ts';
import { seedEnvironment } from '../../local/seed.ts';
import { type SimulateOptions, simulate } from '../../local/simulate.ts';
import { examplePlan } from '../fixtures.ts';
import { useMoto } from './moto.ts';

const moto = useMoto();
const plan = examplePlan();
const TABLE = 'dr-runbook-shop';
const lines: string[] = [];

function run(options: Partial<SimulateOptions> & Pick<SimulateOptions, 'mode'>) {
  return simulate({
    plan,
    scenario: 'none',
    endpoint: moto.endpoint,
    seed: true,
    waitMilliseconds: 0,
    write: (l) => lines.push(l),
    ...options,
  });
}

/** The seeded environment, and its state before anything ran. */
async function seeded() {
  const seed = await seedEnvironment(plan, moto.endpoint);
  return { seed, before: await readEnvironment(seed.plan, moto.endpoint, TABLE) };
}

describe('dr-runbook simulate --report', () => {
  it('writes an HTML report whose SVG has one bar per executed step and the RTO objective line', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'dr-runbook-report-')), 'out.html');
    const out: string[] = [];
    const code = await main(['simulate', '--endpoint', moto.endpoint, '--mode', 'drill', '--report', file], {
      out: (l) => out.push(l),
      err: (l) => out.push(l),
    });
    expect(code).toBe(0);
    const html = readFileSync(file, 'utf8');
    const bars = [...html.matchAll(/<rect class="bar"[^>]*data-step="([^"]+)"/g)].map((m) => m[1]);
    for (const step of [
      'Readiness',
      'Step1 · db',
      'Step1 · web',
      'Step2 · dns',
      'Verify',
      'Revert2 · dns',
      'Revert1 · db',
      'Revert1 · web',
      'Report',
    ]) {
      expect(bars).toContain(step);
    }
    expect(new Set(bars).size).toBe(bars.length);
    expect(html).toMatch(/<line class="rto-objective"/);
    expect(html).not.toMatch(/<script|src=|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
  }, 60_000);
});

describe('every DR pattern', () => {
  it.each(['pilot-light', 'backup-restore', 'active-active'])(
    '%s: a drill succeeds and leaves nothing behind, approval included',
    async (name) => {
      const result = await run({ mode: 'drill', plan: examplePlan(name) });
      expect(result.run.status).toBe('SUCCEEDED');
      expect(result.notes).toContain(
        'nothing left behind: the environment after the drill equals the one before',
      );
    },
    60_000,
  );
});

describe('the multi-tier example: seven resources in four steps', () => {
  const multiTier = examplePlan('multi-tier');
  const ids = multiTier.resources.map((r) => r.id);

  it('drill: every resource runs in its step with its own timing, and nothing is left behind', async () => {
    const result = await run({ mode: 'drill', plan: multiTier });
    expect(result.run.status).toBe('SUCCEEDED');
    expect(result.report?.resources.map((r) => r.id)).toEqual(ids);
    for (const row of result.report?.resources ?? []) {
      expect(row).toMatchObject({ outcome: 'succeeded', seconds: expect.any(Number) });
    }
    // The live progress names every resource's own states.
    for (const id of ids) expect(lines.some((l) => l.includes(`${id}.Start`))).toBe(true);
    // The RPO is the worst of the measured lags (replica 3 s, Aurora 1.5 s, DynamoDB 1 s).
    expect(result.report?.rpo).toMatchObject({ achievedSeconds: 3, met: true });
    expect(result.notes).toContain(
      'nothing left behind: the environment after the drill equals the one before',
    );
  }, 60_000);

  it('failover: promotes, fails over, scales both tiers, runs the hook, then moves the records', async () => {
    const result = await run({ mode: 'failover', plan: multiTier });
    expect(result.run.status).toBe('SUCCEEDED');
    const actions = result.report?.changes.map((c) => c.action) ?? [];
    expect(actions).toEqual(
      expect.arrayContaining(['promote-read-replica', 'failover-global-cluster', 'hook-start', 'upsert']),
    );
    const after = await readEnvironment(result.plan, moto.endpoint, 'dr-runbook-market');
    expect(after.groups['market-web-standby']).toMatchObject({ desired: 4 });
    expect(after.groups['market-workers-standby']).toMatchObject({ desired: 2 });
    expect(after.records['www.market.example.com CNAME']).toBe('web.us-west-2.market.example.com');
    // Traffic moved only after every database and compute step was done.
    const done = (id: string) =>
      Date.parse(result.report?.resources.find((r) => r.id === id)?.completedAt ?? '');
    const dnsStarted = Date.parse(result.report?.resources.find((r) => r.id === 'dns')?.startedAt ?? '');
    for (const id of ['orders-db', 'inventory', 'sessions', 'web', 'workers', 'flush-cache']) {
      expect(done(id)).toBeLessThanOrEqual(dnsStarted);
    }
  }, 60_000);
});

describe('simulate against moto', () => {
  it('dry-run: changes nothing', async () => {
    const { seed, before } = await seeded();
    const result = await run({ mode: 'dry-run', plan: seed.plan, seed: false });
    expect(result.run.status).toBe('SUCCEEDED');
    expect(result.report?.outcome).toBe('ready');
    expect(await readEnvironment(seed.plan, moto.endpoint, TABLE)).toEqual(before);
  }, 60_000);

  it('drill: exercises the recovery side, then leaves nothing behind', async () => {
    const { seed, before } = await seeded();
    const result = await run({ mode: 'drill', plan: seed.plan, seed: false });
    expect(result.run.status).toBe('SUCCEEDED');
    // It really did something: a temporary database, a scaled group, a drill record.
    const changed = result.report?.changes.map((c) => `${c.resource} ${c.action}`) ?? [];
    expect(changed).toEqual(
      expect.arrayContaining([
        'shop-web-standby scale',
        'drill.shop.example.com CNAME create',
        expect.stringMatching(/^drill-shop-\w+ restore/),
      ]),
    );
    expect(result.report?.rpo.achievedSeconds).toEqual(expect.any(Number));
    // …and left nothing: no temporary instance, group and template version as before, no drill
    // record, production records untouched, lock released.
    const after = await readEnvironment(seed.plan, moto.endpoint, TABLE);
    expect(Object.keys(after.databases).sort()).toEqual(['shop-db-replica']);
    expect(after.groups).toEqual(before.groups);
    expect(after.records).toEqual(before.records);
    expect(after.lock).toBeNull();
    expect(after).toEqual(before);
  }, 60_000);

  // Seeded beforehand and run with seed: false, as `simulate --no-seed` against resources someone
  // else created; every request to us-east-1 fails, Route 53's API (served from there) included.
  it("failover in a us-east-1 outage: recovers the database and the group on the newest AMI, then fails at the traffic step, which needs Route 53's API, saying so", async () => {
    const { seed, before } = await seeded();
    const result = await run({ mode: 'failover', plan: seed.plan, seed: false, scenario: 'region-outage' });
    expect(result.run.status).toBe('FAILED');
    expect(result.report).toMatchObject({ outcome: 'failed', failedStep: 'Step2' });
    expect(result.report?.cause).toMatch(
      /Route 53's API is a control plane served from us-east-1.*arc-routing-control.*route53-health-check-failover.*data planes/,
    );
    expect(result.notes.find((n) => n.startsWith('region-outage:'))).toMatch(
      /^region-outage: [1-9]\d* request\(s\) refused: \d+ to us-east-1 \(regional endpoints\), [1-9]\d* to Route 53 API \(global control plane, served from us-east-1\)$/,
    );

    const after = await readEnvironment(seed.plan, moto.endpoint, TABLE);
    // moto keeps the replica source after promotion (DESIGN §6); what it does show is the
    // backup retention the promotion turned on.
    expect(after.databases['shop-db-replica']?.backupRetentionDays).toBe(7);
    expect(after.groups['shop-web-standby']).toMatchObject({
      min: 2,
      desired: 4,
      max: 8,
      launchTemplateVersion: '2',
    });
    const ec2 = new EC2Client({ region: 'us-west-2', endpoint: moto.endpoint });
    const versions = await ec2.send(
      new DescribeLaunchTemplateVersionsCommand({
        LaunchTemplateName: 'shop-web-standby-lt',
        Versions: ['2'],
      }),
    );
    const newestAmi = seed.created.find((line) => line.includes('AMI'))?.match(/ami-\w+/)?.[0];
    expect(versions.LaunchTemplateVersions?.[0]?.LaunchTemplateData?.ImageId).toBe(newestAmi);
    // The records could not change: users still resolve to the failed primary.
    expect(after.records).toEqual(before.records);
  }, 60_000);

  it('a run started while another holds the lock ends as AlreadyRunning and touches nothing', async () => {
    const { seed } = await seeded();
    const dynamo = new DynamoDBClient({ region: 'us-west-2', endpoint: moto.endpoint });
    await dynamo.send(
      new PutItemCommand({
        TableName: TABLE,
        Item: {
          pk: { S: 'LOCK#shop' },
          sk: { S: 'LOCK' },
          runId: { S: 'drill-running-now' },
          expiresAt: { S: '2999-01-01T00:00:00.000Z' },
        },
      }),
    );
    const before = await readEnvironment(seed.plan, moto.endpoint, TABLE);
    const result = await run({ mode: 'failover', plan: seed.plan, seed: false });
    expect(result.run).toMatchObject({ status: 'FAILED', error: 'AlreadyRunning' });
    expect(await readEnvironment(seed.plan, moto.endpoint, TABLE)).toEqual(before);
  }, 60_000);

  it('the simulated outage really blocks the primary region for the step clients', async () => {
    // Clients are created through the same factory the steps use, with the customizer simulate() installs.
    setClientCustomizer(emulatorAdapters);
    activateRun({ outageRegion: 'us-east-1', moto: true }, new AdapterLog());
    try {
      await expect(
        databaseClientsFor('us-east-1').rds.send(new DescribeDBInstancesCommand({})),
      ).rejects.toMatchObject({
        name: 'TimeoutError',
      });
      await expect(
        databaseClientsFor('us-west-2').rds.send(new DescribeDBInstancesCommand({})),
      ).resolves.toBeDefined();
    } finally {
      deactivateRun();
      setClientCustomizer(undefined);
    }
  }, 60_000);
});

describe('dr-runbook simulate: a failover always gets through', () => {
  it.each([
    ['failover-during-drill', /the drill ended ABORTED; the failover SUCCEEDED/],
    ['killed-run', /the drill ended ABORTED; the failover SUCCEEDED/],
  ] as const)(
    '%s: the failover SUCCEEDS and nothing drill-only is left',
    async (scenario, note) => {
      const result = await run({ mode: 'failover', scenario, waitMilliseconds: 20 });

      expect(result.run.status).toBe('SUCCEEDED');
      expect(result.report?.outcome).toBe('succeeded');
      expect(result.notes).toEqual(
        expect.arrayContaining([
          expect.stringMatching(note),
          'nothing drill-only left behind (temporary database, drill record)',
        ]),
      );
      const seconds = Number(/SUCCEEDED ([\d.]+) s after it arrived/.exec(result.notes.join('\n'))?.[1]);
      expect(seconds).toBeLessThan(60);
      const after = await readEnvironment(result.plan, moto.endpoint, TABLE);
      expect(Object.keys(after.databases).some((id) => id.startsWith('drill-shop-'))).toBe(false);
      expect(Object.keys(after.records).filter((key) => key.startsWith('drill.shop.example.com '))).toEqual(
        [],
      );
      expect(after.groups['shop-web-standby']).toMatchObject({ min: 2, desired: 4, max: 8 });
    },
    60_000,
  );
});

describe('the arc-routing-control example: traffic through a data plane', () => {
  const payments = examplePlan('arc-routing-control');

  it('drill: turns the drill routing control On, verifies through the drill name, and leaves nothing behind', async () => {
    const result = await run({ mode: 'drill', plan: payments });
    expect(result.run.status).toBe('SUCCEEDED');
    expect(result.report?.changes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ action: 'set-routing-control', detail: 'Off -> On' }),
      ]),
    );
    expect(result.notes).toContain(
      'nothing left behind: the environment after the drill equals the one before',
    );
  }, 60_000);

  it('failover in a us-east-1 outage SUCCEEDS: the cluster answers through the other regions, and nothing asked of Route 53 or us-east-1 was needed', async () => {
    const result = await run({ mode: 'failover', plan: payments, scenario: 'region-outage' });
    expect(result.run.status).toBe('SUCCEEDED');
    expect(result.report).toMatchObject({ outcome: 'succeeded', rto: { met: true } });
    // Readiness asks every endpoint (us-east-1's is refused); the switch itself went through us-west-2.
    expect(result.notes.find((n) => n.startsWith('region-outage:'))).toMatch(
      /^region-outage: [1-9]\d* request\(s\) refused: [1-9]\d* to us-east-1 \(regional endpoints\), 0 to Route 53 API \(global control plane, served from us-east-1\)$/,
    );
    const after = await readEnvironment(result.plan, moto.endpoint, 'dr-runbook-payments');
    const cells = payments.resources.find((r) => r.type === 'arc-routing-control');
    if (cells?.type !== 'arc-routing-control') throw new Error('no arc-routing-control in the example');
    expect(after.routingControls).toEqual({
      [cells.primaryRoutingControlArn]: 'Off',
      [cells.recoveryRoutingControlArn]: 'On',
      [cells.drillRoutingControlArn as string]: 'Off',
    });
  }, 60_000);
});

describe('the health-check-failover example: traffic moved by an alarm in the recovery region', () => {
  const orders = examplePlan('health-check-failover');

  it('drill: trips the drill alarm, verifies through the drill name, clears it, and leaves nothing behind', async () => {
    const result = await run({ mode: 'drill', plan: orders });
    expect(result.run.status).toBe('SUCCEEDED');
    expect(result.report?.changes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ resource: 'alarm dr-runbook-orders-drill', action: 'publish-metric' }),
      ]),
    );
    // Production's alarm was never published to.
    expect(result.report?.changes.map((c) => c.resource)).not.toContain('alarm dr-runbook-orders-fail-over');
    expect(result.notes).toContain(
      'nothing left behind: the environment after the drill equals the one before',
    );
  }, 60_000);

  it('failover in a us-east-1 outage SUCCEEDS: no Route 53 API call is needed, and the name answers the secondary', async () => {
    const result = await run({ mode: 'failover', plan: orders, scenario: 'region-outage' });
    expect(result.run.status).toBe('SUCCEEDED');
    expect(result.report).toMatchObject({ outcome: 'succeeded', rto: { met: true } });
    // Readiness's advisory health-check reads were refused; the switch needed none of them.
    expect(result.notes.find((n) => n.startsWith('region-outage:'))).toMatch(
      /^region-outage: [1-9]\d* request\(s\) refused: \d+ to us-east-1 \(regional endpoints\), [1-9]\d* to Route 53 API \(global control plane, served from us-east-1\)$/,
    );
    expect(result.report?.resources).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          id: 'dns',
          outcome: 'succeeded',
          measurements: expect.objectContaining({ dnsSyncSeconds: expect.any(Number) }),
        }),
      ]),
    );
    const after = await readEnvironment(result.plan, moto.endpoint, 'dr-runbook-orders');
    expect(after.alarms).toEqual({ 'dr-runbook-orders-fail-over': 'ALARM', 'dr-runbook-orders-drill': 'OK' });
  }, 60_000);
});

describe('switchover: the planned, lossless move', () => {
  it('the multi-tier example SUCCEEDS with RPO 0: the replica promoted at zero lag, Aurora switched over, nothing reverted', async () => {
    const result = await run({ mode: 'switchover', plan: examplePlan('multi-tier') });
    expect(result.run.status).toBe('SUCCEEDED');
    expect(result.report).toMatchObject({ outcome: 'succeeded', rpo: { achievedSeconds: 0, met: true } });
    expect(result.report?.changes.map((c) => c.action)).toEqual(
      expect.arrayContaining(['promote-read-replica', 'switchover-global-cluster']),
    );
    // The operator's part (stopping the writes) is simulated, and said so.
    expect(result.notes).toEqual(
      expect.arrayContaining([expect.stringMatching(/^the simulation stopped the writes to market-orders/)]),
    );
  }, 60_000);
});

describe('fencing the old primary after a failover', () => {
  it('with the primary region answering: the old primary is stopped and its group scaled to 0, and the report says fenced', async () => {
    const result = await run({ mode: 'failover', plan: examplePlan('warm-standby') });
    expect(result.run.status).toBe('SUCCEEDED');
    expect(result.report?.fencing?.map((f) => [f.resource, f.outcome])).toEqual([
      ['db', 'fenced'],
      ['web', 'fenced'],
    ]);
    const after = await readEnvironment(result.plan, moto.endpoint, 'dr-runbook-shop');
    expect(after.primary).toEqual({
      databases: { 'shop-db': 'stopped' },
      groups: { 'shop-web-primary': '0/0/8' },
    });
  }, 60_000);

  it('in a us-east-1 outage: the failover SUCCEEDS and each fencing action is not reachable', async () => {
    const result = await run({
      mode: 'failover',
      plan: examplePlan('arc-routing-control'),
      scenario: 'region-outage',
    });
    expect(result.run.status).toBe('SUCCEEDED');
    expect(result.report?.fencing?.map((f) => [f.resource, f.outcome])).toEqual([
      ['db', 'not-reachable'],
      ['api', 'not-reachable'],
    ]);
  }, 60_000);
});
