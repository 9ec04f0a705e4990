// Every failure of a main step ends the same way: reported (which step, why, naming the resource),
// lock released, execution FAILED with RunbookFailed. A drill that fails still reverts what it did.
// The warm-standby plan: Step1 = db ∥ web, Step2 = dns.
import { beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { accessDenied, awsError } from '../fixtures.ts';
import { first, WARM_STANDBY } from './environments.ts';
import type { FakeAws } from './fake-aws.ts';
import {
  answerProbes,
  fakeAwsFor,
  finalState,
  onlyReport,
  type Runbook,
  reports,
  runRunbook,
  synthesizeExample,
} from './harness.ts';

describe('failures', () => {
  const serviceUnavailable = () => awsError('ServiceUnavailable', 503, 'Service Unavailable');
  const REPLICA = first(WARM_STANDBY.replicas, 'replica');
  const TEMPLATE = first(WARM_STANDBY.groups, 'group').launchTemplate;
  const ZONE = first(WARM_STANDBY.zones, 'zone');
  /** Entered only when a revert step (or one of its branches) failed. */
  const REVERT_FAILED = /^(Revert\d+(\.[a-z0-9-]+)?Failed|[a-z0-9-]+\.RevertFailed)$/;

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
        step: 'Step1',
        failedState: 'Step1.dbFailed',
        failure: { resource: 'db', family: 'database' },
        command: 'PromoteReadReplica',
        error: accessDenied,
        errorName: 'AccessDeniedError',
        resource: 'read replica shop-db-replica',
      },
      {
        step: 'Step1',
        failedState: 'Step1.webFailed',
        failure: { resource: 'web', family: 'compute' },
        command: 'UpdateAutoScalingGroup',
        error: accessDenied,
        errorName: 'AccessDeniedError',
        resource: 'shop-web-standby',
      },
      {
        step: 'Step2',
        failedState: 'Step2.dnsFailed',
        failure: { resource: 'dns', family: 'traffic' },
        command: 'ChangeResourceRecordSets',
        error: accessDenied,
        errorName: 'AccessDeniedError',
        resource: 'hosted zone Z0SHOPEXAMPLE',
      },
      {
        step: 'Verify',
        failedState: 'VerifyFailed',
        failure: {},
        command: 'DescribeAlarms',
        error: accessDenied,
        errorName: 'AccessDeniedError',
        resource: 'shop-recovery-5xx',
      },
    ])(
      '$step ($command fails: $errorName) is reported, the lock released, the run FAILED',
      async (failure) => {
        fake.fail(failure.command, failure.error);

        const run = await runRunbook(runbook, { input: { mode: 'failover', confirm: 'shop' } });

        expect(run).toMatchObject({ status: 'FAILED', error: 'RunbookFailed' });
        expect(run.cause).toContain(failure.resource);
        expect(run.entered).toEqual(
          expect.arrayContaining([failure.failedState, 'ReleaseLock', 'Report', 'RunFailed']),
        );
        // $.failure names the step, and for a step's branch its resource and family
        expect(finalState(run)?.failure).toMatchObject({
          step: failure.step,
          ...failure.failure,
          Error: failure.errorName,
        });

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
      },
    );

    it('treats readiness as advisory: a readiness that cannot run is recorded, and the failover still recovers', async () => {
      // Readiness tries 1 + 5 times; the switch itself then reaches the zone.
      fake.fail('GetHostedZone', serviceUnavailable, { times: 6 });

      const run = await runRunbook(runbook, { input: { mode: 'failover', confirm: 'shop' } });

      expect(run.status).toBe('SUCCEEDED');
      expect(run.failed).toContain('dns.Readiness');
      expect(run.entered).toContain('dns.ReadinessFailed');
      expect(run.failed).not.toContain('Readiness');
      const report = onlyReport(fake);
      expect(report.outcome).toBe('succeeded');
      expect(report.readinessProblems).toEqual([expect.stringMatching(/^dns: readiness could not run: /)]);
      expect(report.readinessProblems[0]).toContain('Z0SHOPEXAMPLE');
    });

    it('ends a switchover whose readiness cannot run as NOT-READY before anything is touched: a planned move needs both regions ready', async () => {
      fake.fail('GetHostedZone', serviceUnavailable);

      const run = await runRunbook(runbook, { input: { mode: 'switchover', confirm: runbook.plan.name } });

      expect(run).toMatchObject({ status: 'FAILED', error: 'NotReady' });
      expect(run.entered).toContain('NotReadyToStart');
      expect(run.entered).not.toContain('BeginRecovery');
      expect(fake.mutatingCalls('rds', 'autoscaling', 'ec2', 'route53')).toEqual([]);
      expect(onlyReport(fake).outcome).toBe('not-ready');
      expect(fake.lockItem()).toBeUndefined();
    });

    it('ends a drill whose readiness cannot run as NOT-READY before anything is touched', async () => {
      fake.fail('GetHostedZone', serviceUnavailable);

      const run = await runRunbook(runbook, { input: { mode: 'drill' } });

      expect(run).toMatchObject({ status: 'FAILED', error: 'NotReady' });
      expect(fake.callsOf('GetHostedZone')).toHaveLength(1 + 5);
      expect(run.entered).toContain('NotReadyToStart');
      expect(run.entered).not.toContain('BeginRecovery');
      expect(run.entered).not.toContain('Step1');
      expect(fake.mutatingCalls('rds', 'autoscaling', 'ec2', 'route53')).toEqual([]);
      expect(onlyReport(fake).outcome).toBe('not-ready');
      expect(fake.lockItem()).toBeUndefined();
    });

    it('never moves traffic when recovery fails', async () => {
      fake.fail('PromoteReadReplica', accessDenied);

      const run = await runRunbook(runbook, { input: { mode: 'failover', confirm: 'shop' } });

      expect(run.entered).not.toContain('Step2');
      expect(run.entered).not.toContain('dns.Start');
      expect(fake.route53.changeBatches).toEqual([]);
      expect(fake.zone().records).toEqual(ZONE.records);
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

  describe('runbook drill failing in Step1 (db ∥ web)', () => {
    it.each([
      { branch: 'db', command: 'RestoreDBInstanceFromDBSnapshot', resource: 'DB instance drill-shop-' },
      { branch: 'web', command: 'CreateLaunchTemplateVersion', resource: TEMPLATE.id },
    ])(
      '($branch: $command denied) still reverts everything the drill did',
      async ({ branch, command, resource }) => {
        fake.fail(command, accessDenied);

        const run = await runRunbook(runbook, { input: { mode: 'drill' } });

        expect(run).toMatchObject({ status: 'FAILED', error: 'RunbookFailed' });
        expect(onlyReport(fake)).toMatchObject({
          mode: 'drill',
          outcome: 'failed',
          failedStep: 'Step1',
          cause: expect.stringContaining(resource),
        });
        expect(finalState(run)?.failure).toMatchObject({ step: 'Step1', resource: branch });
        expect(run.entered).toContain(`Step1.${branch}Failed`);
        // traffic never moved: Step2 never ran, so neither does its revert need to do anything real
        expect(run.entered).not.toContain('Step2');
        expect(run.entered).toEqual(expect.arrayContaining(['RevertDrill', 'Revert2', 'Revert1']));
        expect(run.entered.filter((name) => REVERT_FAILED.test(name))).toEqual([]);

        expect([...fake.rds.instances.keys()]).toEqual([REPLICA.replicaId]);
        const group = fake.group();
        expect(fake.capacity()).toEqual({ min: 1, desired: 1, max: 2 });
        expect(group.launchTemplate.version).toBe('1');
        expect(fake.template().versions.map((v) => v.number)).toEqual([1]);
        expect(Object.keys(group.tags)).toEqual(['app']);
        expect(fake.zone().records).toEqual(ZONE.records);
        expect(fake.lockItem()).toBeUndefined();
      },
    );

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

      const run = await runRunbook(runbook, {
        input: { mode: 'drill' },
        executionName: 'drill-left-residue',
      });

      expect(run).toMatchObject({ status: 'FAILED', error: 'DrillRevertFailed' });
      expect(run.cause).toContain('drill-shop-');
      // v2: the revert runs step by step (Revert2, then Revert1); the failed step is the one holding db
      expect(run.entered).toEqual(expect.arrayContaining(['db.RevertFailed', 'Revert1.dbFailed']));
      expect(finalState(run)?.revertFailure).toMatchObject({
        step: 'Revert1',
        resource: 'db',
        family: 'database',
      });
      const last = reports(fake).at(-1);
      expect(last).toMatchObject({ outcome: 'failed', failedStep: 'Revert1' });
      expect(last?.leftovers).toEqual([expect.stringMatching(/^db: revert failed: .*drill-shop-/)]);
      // the other branches of the step were still reverted
      expect(fake.capacity()).toEqual({ min: 1, desired: 1, max: 2 });
      expect(fake.zone().records).toEqual(ZONE.records);
      expect(last?.cause).toContain('drill-shop-');
      expect(fake.sns.published.at(-1)?.Subject).toBe('dr-runbook drill shop: failed');
      expect(fake.lockItem()).toBeUndefined();
    });
  });
});
