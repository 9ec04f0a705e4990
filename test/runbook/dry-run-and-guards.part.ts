// Runs that change nothing: a dry-run (readiness only, no lock), input the runbook rejects
// (InvalidInput, before anything is touched), and a second run while the lock or the cooldown after
// a failover is held (AlreadyRunning).
import { beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { accessDenied } from '../fixtures.ts';
import type { FakeAws } from './fake-aws.ts';
import type { Item } from './fake-dynamodb-expressions.ts';
import {
  answerProbes,
  causeMessage,
  fakeAwsFor,
  familyInvocations,
  onlyReport,
  type Runbook,
  runRunbook,
  synthesizeExample,
  TOPIC_ARN,
} from './harness.ts';

describe('dry-run-and-guards', () => {
  let runbook: Runbook;
  let fake: FakeAws;

  beforeAll(async () => {
    runbook = await synthesizeExample('warm-standby');
  }, 30_000);

  beforeEach(() => {
    fake = fakeAwsFor(runbook);
    answerProbes(200);
  });

  const minutesFromNow = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString();

  function lock(fields: Record<string, string>): Item {
    return {
      pk: { S: 'LOCK#shop' },
      sk: { S: 'LOCK' },
      ...Object.fromEntries(Object.entries(fields).map(([name, value]) => [name, { S: value }])),
    };
  }

  describe('runbook dry-run', () => {
    it.each([
      ['an empty input', {}],
      ['{"mode": "dry-run"}', { mode: 'dry-run' }],
    ])('succeeds on %s, reporting "ready" with a predicted RTO and changing nothing', async (_, input) => {
      const run = await runRunbook(runbook, { input });

      expect(run.status).toBe('SUCCEEDED');
      expect(fake.mutatingCalls('rds', 'autoscaling', 'ec2', 'route53')).toEqual([]);
      expect(familyInvocations(run).map((i) => i.action)).toEqual(['readiness', 'readiness', 'readiness']);
      expect(
        familyInvocations(run)
          .map((i) => `${i.family}:${i.resource}`)
          .sort(),
      ).toEqual(['compute:web', 'database:db', 'traffic:dns']);
      expect(run.entered).not.toContain('BeginRecovery');
      expect(run.entered).not.toContain('Step1');
      expect(run.entered).not.toContain('Verify');

      const report = onlyReport(fake);
      expect(report).toMatchObject({
        plan: 'shop',
        mode: 'dry-run',
        outcome: 'ready',
        readinessProblems: [],
      });
      // Step1: the slower of db (promotion 300 s) and web (300 s); then Step2: dns (sync 60 s + TTL 60 s).
      expect(report.predictedRtoSeconds).toBe(420);
      expect(report.resources).toEqual([]);
      expect(report.rto.achievedSeconds).toBeNull();

      expect(fake.sns.published).toHaveLength(1);
      expect(fake.sns.published[0]).toMatchObject({
        TopicArn: TOPIC_ARN,
        Subject: 'dr-runbook dry-run shop: ready',
      });
    });

    it('never touches the lock: no lock item before, during or after', async () => {
      const run = await runRunbook(runbook, { input: { mode: 'dry-run' } });

      expect(run.status).toBe('SUCCEEDED');
      expect(run.entered).not.toContain('AcquireLock');
      expect(run.entered).not.toContain('ReleaseLock');
      expect(fake.lockItem()).toBeUndefined();
      const dynamoWrites = fake.mutatingCalls('dynamodb').map((call) => call.input);
      expect(dynamoWrites).toEqual([
        expect.objectContaining({ Item: expect.objectContaining({ pk: { S: 'RUN#shop' } }) }),
      ]);
    });

    it('is not blocked by a run holding the lock, and leaves that lock alone', async () => {
      const held = lock({
        runId: 'drill-in-progress',
        mode: 'drill',
        acquiredAt: minutesFromNow(-10),
        expiresAt: minutesFromNow(60),
      });
      fake.seedItem(held);

      const run = await runRunbook(runbook, { input: {} });

      expect(run.status).toBe('SUCCEEDED');
      expect(fake.lockItem()).toEqual(held);
    });

    it('reports a permanent error in readiness as "not-ready", naming the resource, without failing', async () => {
      fake.fail('DescribeImages', accessDenied);

      const run = await runRunbook(runbook, { input: { mode: 'dry-run' } });

      expect(run.status).toBe('SUCCEEDED');
      const report = onlyReport(fake);
      expect(report.outcome).toBe('not-ready');
      expect(report.readinessProblems).toEqual([
        expect.stringMatching(/^web\/ami: access denied .*AMI tagged dr-runbook:plan=shop, role=web/),
      ]);
      expect(fake.sns.published[0]?.Subject).toBe('dr-runbook dry-run shop: not-ready');
    });
  });

  describe('runbook input validation', () => {
    it.each([
      ['an unknown mode', { mode: 'explode' }, 'mode'],
      ['a misspelled field', { mdoe: 'drill' }, 'mdoe'],
      ['a manual failover without confirmation', { mode: 'failover' }, 'confirm'],
      [
        'a manual failover confirming another plan',
        { mode: 'failover', confirm: 'shop-staging' },
        'got "shop-staging"',
      ],
      [
        'an alarm trigger asking for a drill',
        {
          mode: 'drill',
          trigger: { type: 'alarm', alarmName: 'x', stateChangeTime: '2026-11-25T12:00:00Z' },
        },
        'mode',
      ],
      [
        "an alarm failover naming an alarm that is not the plan's, without confirm",
        {
          mode: 'failover',
          trigger: {
            type: 'alarm',
            alarmName: 'someone-elses-alarm',
            stateChangeTime: new Date().toISOString(),
          },
        },
        'trigger.alarmName',
      ],
      [
        'an alarm failover whose state change is from 1970, without confirm',
        {
          mode: 'failover',
          trigger: {
            type: 'alarm',
            alarmName: 'shop-primary-health',
            stateChangeTime: '1970-01-01T00:00:00Z',
          },
        },
        'trigger.stateChangeTime',
      ],
    ])('rejects %s as InvalidInput naming the field, touching nothing', async (_, input, field) => {
      const run = await runRunbook(runbook, { input });

      expect(run).toMatchObject({ status: 'FAILED', error: 'InvalidInput' });
      expect(causeMessage(run)).toMatch(new RegExp(`^invalid execution input: .*${field}`));
      expect(run.entered.at(-1)).toBe('InvalidInput');
      expect(run.entered).not.toContain('NeedsLock?');
      expect(run.invocations).toEqual([{ family: 'runbook', action: 'validate-input' }]);
      expect(fake.mutatingCalls()).toEqual([]);
      expect(fake.historyItems()).toEqual([]);
    });

    it('says what a manual failover must repeat', async () => {
      const run = await runRunbook(runbook, { input: { mode: 'failover' } });

      expect(causeMessage(run)).toContain('a manual failover must be confirmed with "confirm": "shop"');
    });
  });

  describe('runbook lock', () => {
    it.each([
      [
        'another run holds it',
        lock({
          runId: 'drill-in-progress',
          mode: 'drill',
          acquiredAt: minutesFromNow(-5),
          expiresAt: minutesFromNow(715),
        }),
      ],
      [
        'the cooldown after a failover is active',
        lock({ mode: 'failover', acquiredAt: minutesFromNow(-30), cooldownUntil: minutesFromNow(30) }),
      ],
    ])('ends AlreadyRunning when %s, touching nothing, recorded and notified', async (_, held) => {
      fake.seedItem(held);

      const run = await runRunbook(runbook, { input: { mode: 'drill' } });

      expect(run).toMatchObject({ status: 'FAILED', error: 'AlreadyRunning' });
      expect(causeMessage(run)).toContain('plan "shop"');
      expect(run.entered).toEqual(
        expect.arrayContaining(['AcquireLock', 'LockHeld', 'Report', 'AlreadyRunning']),
      );
      expect(run.entered).not.toContain('Readiness');
      expect(run.invocations).toEqual([
        { family: 'runbook', action: 'validate-input' },
        { family: 'lock', action: 'acquire-lock' },
        { family: 'runbook', action: 'report' },
      ]);
      expect(fake.mutatingCalls('rds', 'autoscaling', 'ec2', 'route53')).toEqual([]);
      expect(fake.lockItem()).toEqual(held);
      expect(onlyReport(fake).outcome).toBe('refused');
      expect(fake.sns.published.map((message) => message.Subject)).toEqual([
        'dr-runbook drill shop: refused',
      ]);
    });

    it.each([
      [
        'a dead execution whose lock expired',
        lock({
          runId: 'crashed-run',
          mode: 'drill',
          acquiredAt: minutesFromNow(-800),
          expiresAt: minutesFromNow(-80),
        }),
      ],
      [
        'an expired cooldown',
        lock({ mode: 'failover', acquiredAt: minutesFromNow(-120), cooldownUntil: minutesFromNow(-60) }),
      ],
    ])('takes over the lock of %s, and releases it at the end', async (_, stale) => {
      fake.seedItem(stale);

      const run = await runRunbook(runbook, {
        input: { mode: 'drill' },
        executionName: 'drill-after-stale-lock',
      });

      expect(run.status).toBe('SUCCEEDED');
      expect(fake.callsOf('PutItem')[0]?.input).toMatchObject({
        Item: { runId: { S: 'drill-after-stale-lock' } },
      });
      expect(fake.lockItem()).toBeUndefined();
    });

    it('does not release a lock another run took over in the meantime', async () => {
      const run = await runRunbook(runbook, {
        input: { mode: 'drill' },
        stateOverrides: {
          // While this run verifies, its lock is taken over (as if it had expired).
          Verify: async () => {
            fake.seedItem(
              lock({
                runId: 'newer-run',
                mode: 'drill',
                acquiredAt: minutesFromNow(0),
                expiresAt: minutesFromNow(720),
              }),
            );
            return { verifiedAt: new Date().toISOString(), checks: [] };
          },
        },
      });

      expect(run.status).toBe('SUCCEEDED');
      expect(fake.lockItem()?.runId).toEqual({ S: 'newer-run' });
    });
  });
});
