// Every failure of a main step ends the same way: reported (which step, why, naming the resource),
// lock released, execution FAILED with RunbookFailed. A drill that fails still reverts what it did.
import { beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { accessDenied, awsError } from '../fixtures.ts';
import { WARM_STANDBY } from './environments.ts';
import type { FakeAws } from './fake-aws.ts';
import {
  answerProbes,
  fakeAwsFor,
  onlyReport,
  type Runbook,
  reports,
  runRunbook,
  synthesizeExample,
} from './harness.ts';

const serviceUnavailable = () => awsError('ServiceUnavailable', 503, 'Service Unavailable');

let runbook: Runbook;
let fake: FakeAws;

beforeAll(async () => {
  runbook = await synthesizeExample('warm-standby');
}, 30_000);

beforeEach(() => {
  fake = fakeAwsFor(runbook);
  answerProbes(200);
});

describe('runbook failover failing at a step', () => {
  it.each([
    {
      step: 'Recover',
      failedState: 'RecoverDatabaseFailed',
      command: 'PromoteReadReplica',
      error: accessDenied,
      errorName: 'AccessDeniedError',
      resource: 'read replica shop-db-replica',
    },
    {
      step: 'Recover',
      failedState: 'RecoverComputeFailed',
      command: 'UpdateAutoScalingGroup',
      error: accessDenied,
      errorName: 'AccessDeniedError',
      resource: 'shop-web-standby',
    },
    {
      step: 'SwitchTraffic',
      failedState: 'SwitchTrafficTrafficFailed',
      command: 'ChangeResourceRecordSets',
      error: accessDenied,
      errorName: 'AccessDeniedError',
      resource: 'hosted zone Z0SHOPEXAMPLE',
    },
    {
      step: 'Verify',
      failedState: 'VerifyFailed',
      command: 'DescribeAlarms',
      error: accessDenied,
      errorName: 'AccessDeniedError',
      resource: 'shop-recovery-5xx',
    },
  ])('$step ($command fails: $errorName) is reported, the lock released, the run FAILED', async (failure) => {
    fake.fail(failure.command, failure.error);

    const run = await runRunbook(runbook, { input: { mode: 'failover', confirm: 'shop' } });

    expect(run).toMatchObject({ status: 'FAILED', error: 'RunbookFailed' });
    expect(run.cause).toContain(failure.resource);
    expect(run.entered).toEqual(
      expect.arrayContaining([failure.failedState, 'ReleaseLock', 'Report', 'RunFailed']),
    );

    const report = onlyReport(fake);
    expect(report).toMatchObject({ mode: 'failover', outcome: 'failed', failedStep: failure.step });
    expect(report.cause).toContain(failure.errorName);
    expect(report.cause).toContain(failure.resource);
    expect(report.cooldownUntil).toBeUndefined();
    expect(fake.sns.published.map((message) => message.Subject)).toEqual([
      'dr-runbook failover shop: failed',
    ]);

    expect(fake.lockItem()).toBeUndefined();
    expect(fake.callsOf('DeleteItem').map((call) => call.input)).toEqual([
      expect.objectContaining({ ConditionExpression: 'runId = :runId' }),
    ]);
  });

  it('treats readiness as advisory: a readiness that cannot run is recorded, and the failover still recovers', async () => {
    // Readiness tries 1 + 5 times; the switch itself then reaches the zone.
    fake.fail('GetHostedZone', serviceUnavailable, { times: 6 });

    const run = await runRunbook(runbook, { input: { mode: 'failover', confirm: 'shop' } });

    expect(run.status).toBe('SUCCEEDED');
    expect(run.failed).toContain('TrafficReadiness');
    expect(run.failed).not.toContain('Readiness');
    const report = onlyReport(fake);
    expect(report.outcome).toBe('succeeded');
    expect(report.readinessProblems).toEqual([expect.stringContaining('traffic')]);
    expect(report.readinessProblems[0]).toContain('Z0SHOPEXAMPLE');
  });

  it('ends a drill whose readiness cannot run as NOT-READY before anything is touched', async () => {
    fake.fail('GetHostedZone', serviceUnavailable);

    const run = await runRunbook(runbook, { input: { mode: 'drill' } });

    expect(run).toMatchObject({ status: 'FAILED', error: 'NotReady' });
    expect(fake.callsOf('GetHostedZone')).toHaveLength(1 + 5);
    expect(run.entered).not.toContain('Recover');
    expect(fake.mutatingCalls('rds', 'autoscaling', 'ec2', 'route53')).toEqual([]);
    expect(onlyReport(fake).outcome).toBe('not-ready');
    expect(fake.lockItem()).toBeUndefined();
  });

  it('never moves traffic when recovery fails', async () => {
    fake.fail('PromoteReadReplica', accessDenied);

    const run = await runRunbook(runbook, { input: { mode: 'failover', confirm: 'shop' } });

    expect(run.entered).not.toContain('SwitchTraffic');
    expect(fake.route53.changeBatches).toEqual([]);
    expect(fake.zone().records).toEqual(WARM_STANDBY.zone.records);
  });

  it('fails Verify when the recovered site does not answer, naming the URL', async () => {
    answerProbes(503);

    const run = await runRunbook(runbook, { input: { mode: 'failover', confirm: 'shop' } });

    expect(run).toMatchObject({ status: 'FAILED', error: 'RunbookFailed' });
    expect(onlyReport(fake)).toMatchObject({
      failedStep: 'Verify',
      cause: expect.stringContaining('GET https://www.shop.example.com/healthz answered 503, expected 200'),
    });
    expect(fake.lockItem()).toBeUndefined();
  });
});

describe('runbook verification right after the switch', () => {
  it('probes again while resolvers may still serve the old answer, instead of failing a recovery that worked', async () => {
    // INSYNC means Route 53 answers with the new record; resolvers keep the old one for its TTL (60 s),
    // so the first probe may still reach the failed primary.
    const probe = answerProbes(200);
    probe.mockRejectedValueOnce(new TypeError('fetch failed: connect ECONNREFUSED (the failed primary)'));

    const run = await runRunbook(runbook, { input: { mode: 'failover', confirm: 'shop' } });

    expect(run.status).toBe('SUCCEEDED');
    expect(probe).toHaveBeenCalledTimes(2);
    expect(onlyReport(fake).outcome).toBe('succeeded');
  });
});

describe('runbook drill failing in Recover', () => {
  it.each([
    { branch: 'database', command: 'RestoreDBInstanceFromDBSnapshot', resource: 'DB instance drill-shop-' },
    { branch: 'compute', command: 'CreateLaunchTemplateVersion', resource: WARM_STANDBY.launchTemplate.id },
  ])('($branch: $command denied) still reverts everything the drill did', async ({ command, resource }) => {
    fake.fail(command, accessDenied);

    const run = await runRunbook(runbook, { input: { mode: 'drill' } });

    expect(run).toMatchObject({ status: 'FAILED', error: 'RunbookFailed' });
    expect(onlyReport(fake)).toMatchObject({
      mode: 'drill',
      outcome: 'failed',
      failedStep: 'Recover',
      cause: expect.stringContaining(resource),
    });
    expect(run.entered).toContain('RevertDrill');
    expect(run.entered).not.toContain('RevertDrillFailed');

    expect([...fake.rds.instances.keys()]).toEqual([WARM_STANDBY.database.replicaId]);
    const group = fake.group();
    expect({ min: group.min, desired: group.desired, max: group.max }).toEqual({
      min: 1,
      desired: 1,
      max: 2,
    });
    expect(group.launchTemplate.version).toBe('1');
    expect(fake.template().versions.map((v) => v.number)).toEqual([1]);
    expect(Object.keys(group.tags)).toEqual(['app']);
    expect(fake.zone().records).toEqual(WARM_STANDBY.zone.records);
    expect(fake.lockItem()).toBeUndefined();
  });

  it('deletes the temporary instance the drill had already restored', async () => {
    fake.fail('CreateLaunchTemplateVersion', accessDenied);

    await runRunbook(runbook, { input: { mode: 'drill' } });

    expect(fake.callsOf('RestoreDBInstanceFromDBSnapshot')).toHaveLength(1);
    expect(fake.callsOf('DeleteDBInstance')).toHaveLength(1);
  });
});

describe('runbook drill whose revert fails', () => {
  it('reports the failed revert, naming what was left behind, instead of leaving "succeeded" on record', async () => {
    fake.fail('DeleteDBInstance', accessDenied);

    const run = await runRunbook(runbook, { input: { mode: 'drill' }, executionName: 'drill-left-residue' });

    expect(run).toMatchObject({ status: 'FAILED', error: 'DrillRevertFailed' });
    expect(run.cause).toContain('drill-shop-');
    const last = reports(fake).at(-1);
    expect(last).toMatchObject({ outcome: 'failed', failedStep: 'RevertDrill' });
    expect(last?.cause).toContain('drill-shop-');
    expect(fake.sns.published.at(-1)?.Subject).toBe('dr-runbook drill shop: failed');
    expect(fake.lockItem()).toBeUndefined();
  });
});
