// What the runbook does in each mode that changes something, run as deployed against the fake AWS:
// a drill exercises the recovery region without touching production or the real replica and reverts
// everything; a failover promotes, scales from the newest AMI, switches www and api, verifies,
// reports, and holds the cooldown. Each describe runs once, then each test looks at one aspect.
import { beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { drillInstanceId } from '../../functions/database/restore-target.ts';
import { WARM_STANDBY } from './environments.ts';
import type { FakeAws } from './fake-aws.ts';
import {
  answerProbes,
  fakeAwsFor,
  familyInvocations,
  onlyReport,
  type Runbook,
  type RunbookRun,
  runRunbook,
  synthesizeExample,
} from './harness.ts';

const { group: GROUP, amis: AMIS, launchTemplate: TEMPLATE } = WARM_STANDBY;

let runbook: Runbook;

beforeAll(async () => {
  runbook = await synthesizeExample('warm-standby');
}, 30_000);

describe('runbook drill', () => {
  const RUN_ID = 'drill-2026-q4';
  const DRILL_INSTANCE = drillInstanceId('shop', RUN_ID);
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

  it('succeeds, recovering, switching the drill record, verifying, reverting, then reporting', () => {
    expect(run.status).toBe('SUCCEEDED');
    const order = [
      'AcquireLock',
      'Readiness',
      'Recover',
      'SwitchTraffic',
      'Verify',
      'RevertDrill',
      'ReleaseLock',
      'Report',
    ];
    expect(run.entered.filter((name) => order.includes(name))).toEqual(order);
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
          { Key: 'dr-runbook:run-id', Value: RUN_ID },
          { Key: 'dr-runbook:purpose', Value: 'drill' },
        ]),
      }),
    ]);
    expect(fake.callsOf('DeleteDBInstance').map((call) => call.input)).toEqual([
      expect.objectContaining({ DBInstanceIdentifier: DRILL_INSTANCE, SkipFinalSnapshot: true }),
    ]);
    expect([...fake.rds.instances.keys()]).toEqual([WARM_STANDBY.database.replicaId]);
  });

  it('scales the real standby from the newest AMI, then puts the group back as it was', () => {
    expect(fake.callsOf('UpdateAutoScalingGroup').map((call) => call.input)).toEqual([
      expect.objectContaining({
        MinSize: 2,
        DesiredCapacity: 4,
        MaxSize: 8,
        LaunchTemplate: { LaunchTemplateId: WARM_STANDBY.launchTemplate.id, Version: '2' },
      }),
      expect.objectContaining({
        MinSize: GROUP.min,
        DesiredCapacity: GROUP.desired,
        MaxSize: GROUP.max,
        LaunchTemplate: { LaunchTemplateId: WARM_STANDBY.launchTemplate.id, Version: '1' },
      }),
    ]);
    expect(fake.callsOf('CreateLaunchTemplateVersion')[0]?.input).toMatchObject({
      LaunchTemplateData: { ImageId: AMIS.newer.id },
    });

    const group = fake.group();
    expect({ min: group.min, desired: group.desired, max: group.max }).toEqual({
      min: 1,
      desired: 1,
      max: 2,
    });
    expect(group.launchTemplate.version).toBe('1');
    expect(fake.template().versions.map((v) => v.number)).toEqual([1]);
    expect(Object.keys(group.tags)).toEqual(['app']);
  });

  it('writes only the drill record, deletes it afterwards, and never touches www or api', () => {
    expect(fake.route53.changeBatches.map((batch) => batch.changes)).toEqual([
      [{ action: 'UPSERT', name: 'drill.shop.example.com.', type: 'CNAME' }],
      [{ action: 'DELETE', name: 'drill.shop.example.com.', type: 'CNAME' }],
    ]);
    expect(fake.namesChanged()).not.toContain('www.shop.example.com');
    expect(fake.namesChanged()).not.toContain('api.shop.example.com');
    expect(fake.record('drill.shop.example.com', 'CNAME')).toBeUndefined();
    expect(fake.zone().records).toEqual(WARM_STANDBY.zone.records);
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
    expect(report).toMatchObject({ mode: 'drill', outcome: 'succeeded', runId: RUN_ID, trigger: 'console' });
    expect(report.rto.achievedSeconds).toEqual(expect.any(Number));
    expect(report.rto.achievedSeconds).toBeLessThanOrEqual((Date.now() - startedAt) / 1000);
    expect(report.rto.met).toBe(true);
    expect(report.predictedRtoSeconds).toBe(900 + 120);
  });

  it('reports the RPO the drill measured: the age of the restored snapshot', () => {
    const report = onlyReport(fake);
    const ageSeconds = 3 * 3600;
    expect(report.rpo.achievedSeconds).toBeGreaterThanOrEqual(ageSeconds);
    expect(report.rpo.achievedSeconds).toBeLessThan(ageSeconds + 60);
    expect(report.rpo.met).toBe(false);
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

  it('succeeds: recover, then switch traffic, then verify, then report', () => {
    expect(run.status).toBe('SUCCEEDED');
    const order = ['AcquireLock', 'Readiness', 'Recover', 'SwitchTraffic', 'Verify', 'ReleaseLock', 'Report'];
    expect(run.entered.filter((name) => order.includes(name))).toEqual(order);
    expect(run.entered).not.toContain('RevertDrill');
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
    expect({ min: group.min, desired: group.desired, max: group.max }).toEqual({
      min: 2,
      desired: 4,
      max: 8,
    });
    expect(group.launchTemplate.version).toBe('2');
    expect(fake.template().versions.find((v) => v.number === 2)).toEqual({
      number: 2,
      imageId: AMIS.newer.id,
      description: `dr-runbook failover-us-east-1-outage: ${AMIS.newer.id}`,
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
    const commands = fake.calls.map((call) => call.command);
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
