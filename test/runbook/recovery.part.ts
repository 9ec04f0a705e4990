// What the runbook does in each mode that changes something, run as deployed against the fake AWS
// (the warm-standby plan: Step1 = db ∥ web, Step2 = dns): a drill exercises the recovery region
// without touching production or the real replica and reverts everything, step by step in reverse;
// a failover promotes, scales from the newest AMI, switches www and api, verifies, reports, and holds
// the cooldown. Each describe runs once, then each test looks at one aspect.
import { beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { drillInstanceId } from '../../functions/database/restore-target.ts';
import { first, WARM_STANDBY } from './environments.ts';
import type { FakeAws } from './fake-aws.ts';
import {
  answerProbes,
  fakeAwsFor,
  familyInvocations,
  finalState,
  onlyReport,
  type Runbook,
  type RunbookRun,
  runRunbook,
  synthesizeExample,
} from './harness.ts';

describe('recovery', () => {
  const GROUP = first(WARM_STANDBY.groups, 'group');
  const { amis: AMIS, launchTemplate: TEMPLATE } = GROUP;
  const REPLICA = first(WARM_STANDBY.replicas, 'replica');
  const ZONE = first(WARM_STANDBY.zones, 'zone');

  /** The execution state a run ended with. */
  const stateOf = (run: RunbookRun) => finalState(run) as Record<string, Record<string, unknown>>;

  let runbook: Runbook;

  beforeAll(async () => {
    runbook = await synthesizeExample('warm-standby');
  }, 30_000);

  describe('runbook drill', () => {
    const RUN_ID = 'drill-2026-q4';
    const DRILL_INSTANCE = drillInstanceId('shop', RUN_ID, 'db');
    let fake: FakeAws;
    let probedUrls: unknown[];
    let run: RunbookRun;
    let startedAt: number;

    beforeAll(async () => {
      fake = fakeAwsFor(runbook);
      const probe = answerProbes(200);
      startedAt = Date.now();
      run = await runRunbook(runbook, {
        input: { mode: 'drill', reason: 'quarterly DR test', requestedBy: 'alice' },
        executionName: RUN_ID,
      });
      probedUrls = probe.mock.calls.map(([url]) => url);
    });

    it('succeeds, recovering, switching the drill record, verifying, reverting in reverse step order, then reporting', () => {
      expect(run.status).toBe('SUCCEEDED');
      const order = [
        'AcquireLock',
        'Readiness',
        'BeginRecovery',
        'Step1',
        'Step2',
        'Verify',
        'RevertDrill',
        'Revert2',
        'Revert1',
        'ReleaseLock',
        'Report',
      ];
      expect(run.entered.filter((name) => order.includes(name))).toEqual(order);
      // one branch per resource, its states named by the resource id
      for (const id of ['db', 'web', 'dns']) {
        expect(run.entered).toEqual(
          expect.arrayContaining([`${id}.Readiness`, `${id}.Begin`, `${id}.Start`, `${id}.StartDone`]),
        );
        expect(run.entered).toEqual(
          expect.arrayContaining([`${id}.RevertBegin`, `${id}.Revert`, `${id}.RevertDone`]),
        );
      }
      expect(run.entered).toContain('web.KeepCompute?');
      expect(run.entered).not.toContain('web.RevertKept');
      // the database and the group are up before the drill record is written
      expect(run.entered.indexOf('dns.Start')).toBeGreaterThan(run.entered.indexOf('db.StartDone'));
      expect(run.entered.indexOf('dns.Start')).toBeGreaterThan(run.entered.indexOf('web.StartDone'));
    });

    it('keeps the progress of each resource under results.step<N>.<id>, its revert under revert.step<N>.<id>', () => {
      const state = stateOf(run);
      expect(Object.keys(state.results ?? {})).toEqual(['step1', 'step2']);
      expect(state.results).toMatchObject({
        step1: {
          db: { resource: 'db', family: 'database', type: 'rds-read-replica', done: true },
          web: { resource: 'web', family: 'compute', type: 'auto-scaling-group', done: true },
        },
        step2: { dns: { resource: 'dns', family: 'traffic', type: 'route53-records', done: true } },
      });
      expect(state.revert).toMatchObject({
        step1: { db: { resource: 'db', done: true }, web: { resource: 'web', done: true } },
        step2: { dns: { resource: 'dns', done: true } },
      });
      expect(state.failure).toBeUndefined();
      expect(state.revertFailure).toBeUndefined();
    });

    it('never promotes the real replica', () => {
      expect(fake.callsOf('PromoteReadReplica')).toEqual([]);
      expect(fake.replica()).toMatchObject({
        status: 'available',
        source: `arn:aws:rds:us-east-1:123456789012:db:shop-db`,
      });
    });

    it('restores the newest snapshot to a temporary instance and deletes it afterwards', () => {
      expect(fake.callsOf('RestoreDBInstanceFromDBSnapshot').map((call) => call.input)).toEqual([
        expect.objectContaining({
          DBInstanceIdentifier: DRILL_INSTANCE,
          DBSnapshotIdentifier: 'shop-db-copy-latest',
          DBInstanceClass: 'db.t3.micro',
          DBSubnetGroupName: 'shop-db-subnets',
          Tags: expect.arrayContaining([
            { Key: 'dr-runbook:plan', Value: 'shop' },
            { Key: 'dr-runbook:run-id', Value: RUN_ID },
            { Key: 'dr-runbook:purpose', Value: 'drill' },
            { Key: 'dr-runbook:resource', Value: 'db' },
          ]),
        }),
      ]);
      expect(fake.callsOf('DeleteDBInstance').map((call) => call.input)).toEqual([
        expect.objectContaining({ DBInstanceIdentifier: DRILL_INSTANCE, SkipFinalSnapshot: true }),
      ]);
      expect([...fake.rds.instances.keys()]).toEqual([REPLICA.replicaId]);
    });

    it('scales the real standby from the newest AMI, then puts the group back as it was', () => {
      expect(fake.callsOf('UpdateAutoScalingGroup').map((call) => call.input)).toEqual([
        expect.objectContaining({
          MinSize: 2,
          DesiredCapacity: 4,
          MaxSize: 8,
          LaunchTemplate: { LaunchTemplateId: TEMPLATE.id, Version: '2' },
        }),
        expect.objectContaining({
          MinSize: GROUP.min,
          DesiredCapacity: GROUP.desired,
          MaxSize: GROUP.max,
          LaunchTemplate: { LaunchTemplateId: TEMPLATE.id, Version: '1' },
        }),
      ]);
      expect(fake.callsOf('CreateLaunchTemplateVersion')[0]?.input).toMatchObject({
        LaunchTemplateData: { ImageId: AMIS.newer.id },
      });

      const group = fake.group();
      expect(fake.capacity()).toEqual({ min: 1, desired: 1, max: 2 });
      expect(group.launchTemplate.version).toBe('1');
      expect(fake.template().versions.map((v) => v.number)).toEqual([1]);
      expect(Object.keys(group.tags)).toEqual(['app']);
    });

    it('never fences: a drill does not touch production', () => {
      expect(run.entered).not.toContain('Fence');
      expect(onlyReport(fake).fencing).toBeUndefined();
    });

    it('writes only the drill record, deletes it afterwards, and never touches www or api', () => {
      expect(fake.route53.changeBatches.map((batch) => batch.changes)).toEqual([
        [{ action: 'UPSERT', name: 'drill.shop.example.com.', type: 'CNAME' }],
        [{ action: 'DELETE', name: 'drill.shop.example.com.', type: 'CNAME' }],
      ]);
      expect(fake.namesChanged()).not.toContain('www.shop.example.com');
      expect(fake.namesChanged()).not.toContain('api.shop.example.com');
      expect(fake.record('drill.shop.example.com', 'CNAME')).toBeUndefined();
      expect(fake.zone().records).toEqual(ZONE.records);
    });

    it('verifies through the drill record, not production', () => {
      expect(probedUrls).toEqual(['https://drill.shop.example.com/healthz']);
      expect(fake.callsOf('DescribeAlarms').map((call) => call.input)).toEqual([
        { AlarmNames: ['shop-recovery-5xx'] },
      ]);
    });

    it('takes the lock for the run and releases it at the end', () => {
      expect(fake.callsOf('PutItem')[0]?.input).toMatchObject({
        Item: { pk: { S: 'LOCK#shop' }, runId: { S: RUN_ID }, mode: { S: 'drill' } },
      });
      expect(fake.lockItem()).toBeUndefined();
    });

    it('reports the drill as succeeded with the RTO it achieved', () => {
      const report = onlyReport(fake);
      expect(report).toMatchObject({
        mode: 'drill',
        outcome: 'succeeded',
        runId: RUN_ID,
        trigger: 'console',
      });
      expect(report.rto.achievedSeconds).toEqual(expect.any(Number));
      expect(report.rto.achievedSeconds).toBeLessThanOrEqual((Date.now() - startedAt) / 1000);
      expect(report.rto.met).toBe(true);
      expect(report.predictedRtoSeconds).toBe(900 + 120);
    });

    it('reports the RPO the drill measured: the replica lag a failover would lose, within the objective', () => {
      // v2: a drill of an rds-read-replica stands in for its promotion, so its RPO is the replica's
      // ReplicaLag (the fake's datapoint), no longer the age of the snapshot it restored (3 h).
      const report = onlyReport(fake);
      expect(REPLICA.replicaLagSeconds).toBeLessThan(runbook.plan.objectives.rpoSeconds);
      expect(report.rpo).toEqual({
        objectiveSeconds: runbook.plan.objectives.rpoSeconds,
        achievedSeconds: REPLICA.replicaLagSeconds,
        met: true,
      });
      expect(report.resources.find((row) => row.id === 'db')?.measurements).toMatchObject({
        rpoSeconds: REPLICA.replicaLagSeconds,
        snapshotId: 'shop-db-copy-latest',
      });
    });

    it('lists every resource in the report with its own timing, and one timeline row each', () => {
      const report = onlyReport(fake);
      expect(report.resources.map((row) => [row.id, row.type, row.family, row.outcome])).toEqual([
        ['db', 'rds-read-replica', 'database', 'succeeded'],
        ['web', 'auto-scaling-group', 'compute', 'succeeded'],
        ['dns', 'route53-records', 'traffic', 'succeeded'],
      ]);
      for (const row of report.resources) {
        expect(row).toMatchObject({
          startedAt: expect.any(String),
          completedAt: expect.any(String),
          seconds: expect.any(Number),
        });
        expect(Date.parse(row.completedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(row.startedAt ?? ''));
      }
      const steps = report.timeline.map((row) => row.step);
      expect(steps).toEqual(
        expect.arrayContaining([
          'db (rds-read-replica)',
          'web (auto-scaling-group)',
          'dns (route53-records)',
          'Verify',
          'Revert db',
          'Revert web',
          'Revert dns',
        ]),
      );
      expect(report.reverted.map((change) => change.resource)).toEqual(
        expect.arrayContaining([DRILL_INSTANCE, GROUP.name]),
      );
    });
  });

  describe('runbook failover confirmed by a person', () => {
    let fake: FakeAws;
    let run: RunbookRun;
    let probedUrls: unknown[];
    let startedAt: number;

    beforeAll(async () => {
      fake = fakeAwsFor(runbook);
      const probe = answerProbes(200);
      startedAt = Date.now();
      run = await runRunbook(runbook, {
        input: { mode: 'failover', confirm: 'shop', reason: 'us-east-1 outage', requestedBy: 'alice' },
        executionName: 'failover-us-east-1-outage',
      });
      probedUrls = probe.mock.calls.map(([url]) => url);
    });

    it('succeeds: recover (Step1), then switch traffic (Step2), then verify, then report', () => {
      expect(run.status).toBe('SUCCEEDED');
      const order = [
        'AcquireLock',
        'Readiness',
        'BeginRecovery',
        'Step1',
        'Step2',
        'Verify',
        'ReleaseLock',
        'Report',
      ];
      expect(run.entered.filter((name) => order.includes(name))).toEqual(order);
      expect(run.entered).not.toContain('RevertDrill');
      expect(run.entered.some((name) => name.startsWith('Revert'))).toBe(false);
      expect(stateOf(run).results).toMatchObject({
        step1: { db: { done: true }, web: { done: true } },
        step2: { dns: { done: true } },
      });
    });

    it('promotes the read replica to a standalone instance with backups enabled', () => {
      expect(fake.callsOf('PromoteReadReplica').map((call) => call.input)).toEqual([
        { DBInstanceIdentifier: 'shop-db-replica', BackupRetentionPeriod: 7 },
      ]);
      const replica = fake.replica();
      expect(replica?.status).toBe('available');
      expect(replica?.source).toBeUndefined();
      expect(fake.callsOf('RestoreDBInstanceFromDBSnapshot')).toEqual([]);
    });

    it('scales the standby to 2/4/8 on a new launch template version launching the newest plan-tagged AMI', () => {
      const group = fake.group();
      expect(fake.capacity()).toEqual({ min: 2, desired: 4, max: 8 });
      expect(group.launchTemplate.version).toBe('2');
      expect(fake.template().versions.find((v) => v.number === 2)).toEqual({
        number: 2,
        imageId: AMIS.newer.id,
        // v2: the version names the run and the resource that created it
        description: `dr-runbook failover-us-east-1-outage web: ${AMIS.newer.id}`,
      });
      expect(group.instances.filter((i) => i.version === '2')).toHaveLength(3);
      expect(fake.callsOf('CreateLaunchTemplateVersion')[0]?.input).toMatchObject({
        LaunchTemplateId: TEMPLATE.id,
        SourceVersion: '1',
      });
    });

    it('points www and api at their recovery targets in one change batch, after both branches are healthy', () => {
      expect(fake.record('www.shop.example.com', 'CNAME')).toEqual({
        Name: 'www.shop.example.com.',
        Type: 'CNAME',
        TTL: 60,
        ResourceRecords: [{ Value: 'web-standby.us-west-2.shop.example.com' }],
      });
      expect(fake.record('api.shop.example.com', 'CNAME')?.ResourceRecords).toEqual([
        { Value: 'api-standby.us-west-2.shop.example.com' },
      ]);
      expect(fake.route53.changeBatches).toHaveLength(1);
      // Fencing reads the old primaries after Verify: only the recovery side counts here.
      const onPrimary = (input: unknown) => {
        const named = input as { DBInstanceIdentifier?: string; AutoScalingGroupNames?: string[] };
        return (
          named.DBInstanceIdentifier === 'shop-db' ||
          named.AutoScalingGroupNames?.includes('shop-web-primary')
        );
      };
      const commands = fake.calls.filter((call) => !onPrimary(call.input)).map((call) => call.command);
      expect(commands.indexOf('ChangeResourceRecordSets')).toBeGreaterThan(
        commands.lastIndexOf('DescribeDBInstances'),
      );
      expect(commands.indexOf('ChangeResourceRecordSets')).toBeGreaterThan(
        commands.lastIndexOf('DescribeAutoScalingGroups'),
      );
    });

    it('verifies with the HTTP probe on production and the application alarm', () => {
      expect(probedUrls).toEqual(['https://www.shop.example.com/healthz']);
      expect(fake.callsOf('DescribeAlarms').map((call) => call.input)).toEqual([
        { AlarmNames: ['shop-recovery-5xx'] },
      ]);
      const output = run.output as { verification: { checks: { name: string; status: string }[] } };
      expect(output.verification.checks).toEqual([
        expect.objectContaining({ name: 'http-probe', status: 'pass' }),
        expect.objectContaining({ name: 'app-alarm', status: 'pass' }),
      ]);
    });

    it('reports success with the RTO achieved and publishes it', () => {
      const report = onlyReport(fake);
      expect(report).toMatchObject({ mode: 'failover', outcome: 'succeeded', trigger: 'console' });
      expect(report.rto.achievedSeconds).toEqual(expect.any(Number));
      expect(report.rto.achievedSeconds).toBeLessThanOrEqual((Date.now() - startedAt) / 1000);
      expect(report.rto.met).toBe(true);
      expect(fake.sns.published.map((message) => message.Subject)).toEqual([
        'dr-runbook failover shop: succeeded',
      ]);
    });

    it('reports the RPO achieved: the replica lag at promotion', () => {
      const report = onlyReport(fake);
      expect(report.rpo).toEqual({ objectiveSeconds: 300, achievedSeconds: 4, met: true });
      expect(report.resources.map((row) => `${row.id}:${row.outcome}`)).toEqual([
        'db:succeeded',
        'web:succeeded',
        'dns:succeeded',
      ]);
    });

    it('lists every change in the report: promotion, scaling, template version and records', () => {
      const changes = onlyReport(fake).changes.map((change) => `${change.resource} ${change.action}`);
      expect(changes).toEqual(
        expect.arrayContaining([
          'shop-db-replica promote-read-replica',
          'shop-web-standby scale',
          `${TEMPLATE.id} create-launch-template-version`,
          'www.shop.example.com CNAME upsert',
          'api.shop.example.com CNAME upsert',
        ]),
      );
    });

    it('fences after Verify, off the critical path: one call per fenced resource, each recorded in the report', () => {
      const fence = run.entered.indexOf('Fence');
      expect(fence).toBeGreaterThan(run.entered.indexOf('Verify'));
      expect(fence).toBeLessThan(run.entered.indexOf('Report'));
      const fenced = familyInvocations(run).filter((i) => i.action === 'fence');
      expect(fenced.map((i) => `${i.family}:${i.resource}`).sort()).toEqual(['compute:web', 'database:db']);
      const rows = onlyReport(fake).fencing ?? [];
      expect(rows.map((row) => row.resource).sort()).toEqual(['db', 'web']);
      for (const row of rows) expect(['fenced', 'not-reachable', 'failed', 'skipped']).toContain(row.outcome);
    });

    it('turns the lock into the cooldown: cooldownUntil an hour after the report, no run holding it', () => {
      const lock = fake.lockItem();
      const report = onlyReport(fake);
      expect(lock).toEqual({
        pk: { S: 'LOCK#shop' },
        sk: { S: 'LOCK' },
        mode: { S: 'failover' },
        acquiredAt: { S: report.startedAt },
        cooldownUntil: { S: expect.any(String) },
        cooldownRunId: { S: report.runId },
        token: { S: expect.any(String) },
      });
      const cooldownMs = Date.parse(lock?.cooldownUntil?.S ?? '') - Date.parse(report.startedAt);
      expect(cooldownMs).toBeGreaterThanOrEqual(60 * 60_000);
      expect(cooldownMs).toBeLessThan(61 * 60_000);
      expect(report.cooldownUntil).toBe(lock?.cooldownUntil?.S);
    });
  });

  describe('runbook failover started by an alarm', () => {
    let fake: FakeAws;

    beforeEach(() => {
      fake = fakeAwsFor(runbook);
      answerProbes(200);
    });

    it('needs no confirmation and measures the RTO from the alarm state change', async () => {
      const alarmAt = new Date(Date.now() - 10 * 60_000).toISOString();
      const startedAt = Date.now();

      const run = await runRunbook(runbook, {
        input: {
          mode: 'failover',
          trigger: {
            type: 'alarm',
            alarmName: 'shop-primary-health',
            stateChangeTime: alarmAt,
            region: 'us-east-1',
          },
        },
      });

      expect(run.status).toBe('SUCCEEDED');
      const report = onlyReport(fake);
      expect(report).toMatchObject({ outcome: 'succeeded', trigger: 'alarm', incidentStartedAt: alarmAt });
      expect(report.rto.achievedSeconds).toBeGreaterThanOrEqual(600);
      expect(report.rto.achievedSeconds).toBeLessThanOrEqual(600 + (Date.now() - startedAt) / 1000 + 1);
      expect(report.rto.met).toBe(true);
      expect(fake.replica()?.source).toBeUndefined();
    });

    it('cannot start again during the cooldown that follows', async () => {
      const first = await runRunbook(runbook, { input: { mode: 'failover', confirm: 'shop' } });
      const second = await runRunbook(runbook, { input: { mode: 'drill' } });

      expect(first.status).toBe('SUCCEEDED');
      expect(second).toMatchObject({ status: 'FAILED', error: 'AlreadyRunning' });
      expect(second.cause).toContain('cooldown');
      expect(familyInvocations(second)).toEqual([]);
    });
  });
});
