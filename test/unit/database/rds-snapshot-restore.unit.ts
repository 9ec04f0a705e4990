import 'aws-sdk-client-mock-jest';
import { CloudWatchClient, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeSecurityGroupsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeKeyCommand, type KeyState, KMSClient } from '@aws-sdk/client-kms';
import {
  DeleteDBInstanceCommand,
  DescribeDBInstancesCommand,
  DescribeDBParameterGroupsCommand,
  DescribeDBSnapshotsCommand,
  DescribeDBSubnetGroupsCommand,
  RDSClient,
  RestoreDBInstanceFromDBSnapshotCommand,
} from '@aws-sdk/client-rds';
import { beforeEach, describe, expect, it } from '@jest/globals';
import {
  AccessDeniedError,
  DatabaseInstanceNotFoundError,
  InvalidResourceStateError,
  InvalidStepInputError,
  SnapshotNotFoundError,
  TransientAwsError,
} from '../../../functions/shared/errors.ts';
import type { Mode } from '../../../functions/shared/step-contract.ts';
import { planSchema } from '../../../plan/schema.ts';
import { mockClient } from '../../aws-mock.ts';
import {
  accessDenied,
  awsError,
  examplePlanInput,
  mutatingCommandsSent,
  RUN_ID,
  RUN_STARTED_AT,
  testClock,
  throttling,
} from '../../fixtures.ts';
import {
  backupRestore,
  checkNamed,
  KMS_KEY,
  keyInState,
  notFound,
  OTHER_KMS_KEY,
  progress,
  RESTORE_DRILL_ID,
  RESTORE_KMS_KEY,
  RESTORED_ID,
  readiness,
  restoredInstance,
  SOURCE_ID,
  snapshot,
  startedState,
  withDb,
} from './database-fixtures.ts';

describe('rds-snapshot-restore', () => {
  const rds = mockClient(RDSClient);
  const cloudwatch = mockClient(CloudWatchClient);
  const ec2 = mockClient(EC2Client);
  const kms = mockClient(KMSClient);

  const plan = backupRestore();
  const start = (
    mode: Mode = 'failover',
    options: { state?: Record<string, unknown>; plan?: typeof plan } = {},
  ) => progress('start', { plan, mode, ...options });
  const check = (state: Record<string, unknown>, mode: Mode = 'failover', clock = testClock()) =>
    progress('check', { plan, mode, state }, clock);

  /** The plan's instance of a failover (or the drill's), restored by this run. */
  const recovered = (overrides = {}, mode: Mode = 'failover') =>
    restoredInstance(overrides, {
      plan: 'reports',
      id: mode === 'drill' ? RESTORE_DRILL_ID : RESTORED_ID,
      purpose: mode === 'drill' ? 'drill' : 'failover',
    });

  /** No restored instance yet, a nightly copy 5 h old. */
  function environment() {
    rds.on(DescribeDBInstancesCommand).rejects(notFound());
    rds
      .on(DescribeDBSnapshotsCommand)
      .resolves({ DBSnapshots: [snapshot('nightly', 5, { DBInstanceIdentifier: SOURCE_ID })] });
    rds.on(RestoreDBInstanceFromDBSnapshotCommand).resolves({});
  }

  describe('rds-snapshot-restore readiness', () => {
    beforeEach(() => {
      rds.reset();
      cloudwatch.reset();
      ec2.reset();
      kms.reset();
    });

    it('passes with a recent snapshot and no restored instance yet, predicting the restore time in every mode', async () => {
      environment();

      const dryRun = await readiness({ plan });
      const drill = await readiness({ plan, mode: 'drill' });

      expect(dryRun).toMatchObject({
        resource: 'db',
        type: 'rds-snapshot-restore',
        ready: true,
        predictedSeconds: 900,
      });
      expect(drill.predictedSeconds).toBe(900);
      expect(dryRun.checks.map((c) => [c.name, c.status])).toEqual([
        ['snapshot-exists', 'pass'],
        ['restored-instance-absent', 'pass'],
      ]);
      expect(rds).toHaveReceivedCommandWith(DescribeDBSnapshotsCommand, {
        Filters: [{ Name: 'db-instance-id', Values: [SOURCE_ID] }],
      });
      expect(rds).toHaveReceivedCommandWith(DescribeDBInstancesCommand, {
        DBInstanceIdentifier: RESTORED_ID,
      });
      expect(mutatingCommandsSent([rds, cloudwatch])).toEqual([]);
      expect(cloudwatch.calls()).toHaveLength(0);
      // No security groups nor KMS key in the plan: nothing to read of them.
      expect(ec2.calls()).toHaveLength(0);
      expect(kms.calls()).toHaveLength(0);
    });

    it('checks the subnet group and parameter group the plan names, failing one that does not exist with its field', async () => {
      environment();
      rds
        .on(DescribeDBSubnetGroupsCommand)
        .resolves({ DBSubnetGroups: [{ DBSubnetGroupName: 'reports-private' }] });
      rds.on(DescribeDBParameterGroupsCommand).rejects(awsError('DBParameterGroupNotFound', 404));
      const input = examplePlanInput('backup-restore');
      Object.assign(input.resources[0] as Record<string, unknown>, {
        dbSubnetGroupName: 'reports-private',
        dbParameterGroupName: 'reports-pg16',
      });

      const result = await readiness({ plan: planSchema.parse(input) });

      expect(result.checks.map((c) => [c.name, c.status])).toEqual([
        ['snapshot-exists', 'pass'],
        ['restored-instance-absent', 'pass'],
        ['subnet-group', 'pass'],
        ['parameter-group', 'fail'],
      ]);
      expect(result.checks[3]?.detail).toBe(
        'DB parameter group reports-pg16 not found in us-west-1: create it there, or fix resources[0].dbParameterGroupName; AWS refuses a restore that names it',
      );
      expect(rds).toHaveReceivedCommandWith(DescribeDBSubnetGroupsCommand, {
        DBSubnetGroupName: 'reports-private',
      });
      expect(rds).toHaveReceivedCommandWith(DescribeDBParameterGroupsCommand, {
        DBParameterGroupName: 'reports-pg16',
      });
      expect(mutatingCommandsSent([rds, cloudwatch])).toEqual([]);
    });

    it('reads no placement the plan does not name, and reports a denied read as a failed check', async () => {
      environment();
      expect((await readiness({ plan })).checks.map((c) => c.name)).not.toContain('subnet-group');
      expect(rds).not.toHaveReceivedCommand(DescribeDBSubnetGroupsCommand);

      rds.on(DescribeDBSubnetGroupsCommand).rejects(accessDenied());
      const input = examplePlanInput('backup-restore');
      Object.assign(input.resources[0] as Record<string, unknown>, { dbSubnetGroupName: 'reports-private' });
      const denied = await readiness({ plan: planSchema.parse(input) });
      expect(denied.checks.find((c) => c.name === 'subnet-group')).toMatchObject({
        status: 'fail',
        detail: expect.stringContaining('access denied'),
      });
    });

    it('fails without a snapshot, warns about a stale one, and warns when the restored instance already exists', async () => {
      rds
        .on(DescribeDBSnapshotsCommand)
        .resolvesOnce({ DBSnapshots: [] })
        .resolvesOnce({ DBSnapshots: [snapshot('stale', 30)] });
      rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [{ DBInstanceIdentifier: RESTORED_ID }] });

      const missing = await readiness({ plan });
      const stale = await readiness({ plan });

      expect(checkNamed(missing, 'snapshot-exists').status).toBe('fail');
      expect(missing.ready).toBe(false);
      expect(checkNamed(stale, 'snapshot-exists')).toMatchObject({ status: 'warn' });
      expect(checkNamed(stale, 'snapshot-exists').detail).toContain(
        'older than 26 h (resources[0].snapshotMaxAgeHours)',
      );
      expect(checkNamed(missing, 'restored-instance-absent')).toMatchObject({ status: 'warn' });
      expect(checkNamed(missing, 'restored-instance-absent').detail).toContain(
        `${RESTORED_ID} already exists in us-west-1: a failover would use it as it is instead of restoring; delete it or change resources[0].restoredInstanceId`,
      );
      expect(mutatingCommandsSent([rds, cloudwatch])).toEqual([]);
    });

    it('checks the snapshot copy is under kmsKeyArn, failing another key or none, and warns when an encrypted copy has no key in the plan', async () => {
      rds.on(DescribeDBInstancesCommand).rejects(notFound());
      rds
        .on(DescribeDBSnapshotsCommand)
        .resolvesOnce({ DBSnapshots: [snapshot('ours', 1, { Encrypted: true, KmsKeyId: KMS_KEY })] })
        .resolvesOnce({ DBSnapshots: [snapshot('theirs', 1, { Encrypted: true, KmsKeyId: OTHER_KMS_KEY })] })
        .resolvesOnce({ DBSnapshots: [snapshot('plain', 1)] })
        .resolvesOnce({
          DBSnapshots: [snapshot('unnamed', 1, { Encrypted: true, KmsKeyId: OTHER_KMS_KEY })],
        });
      kms.on(DescribeKeyCommand).resolves(keyInState('Enabled'));
      const keyed = withDb('backup-restore', (db) => {
        db.kmsKeyArn = KMS_KEY;
      });

      const ours = await readiness({ plan: keyed, mode: 'failover' });
      const theirs = await readiness({ plan: keyed, mode: 'failover' });
      const plain = await readiness({ plan: keyed, mode: 'failover' });
      const unnamed = await readiness({ plan, mode: 'failover' });

      expect(checkNamed(ours, 'snapshot-encryption').status).toBe('pass');
      expect(checkNamed(theirs, 'snapshot-encryption')).toMatchObject({ status: 'fail' });
      expect(checkNamed(theirs, 'snapshot-encryption').detail).toContain(
        `not with resources[0].kmsKeyArn (${KMS_KEY}): copy the snapshots with that key, or set resources[0].kmsKeyArn to the key they use`,
      );
      expect(checkNamed(plain, 'snapshot-encryption')).toMatchObject({ status: 'fail' });
      expect(checkNamed(plain, 'snapshot-encryption').detail).toContain(
        'is not encrypted, but resources[0].kmsKeyArn',
      );
      expect(checkNamed(unnamed, 'snapshot-encryption')).toMatchObject({ status: 'warn' });
      expect(checkNamed(unnamed, 'snapshot-encryption').detail).toContain(
        'resources[0].kmsKeyArn is not set',
      );
      expect([ours.ready, theirs.ready, plain.ready, unnamed.ready]).toEqual([true, false, false, true]);
    });

    describe('security-groups: the vpcSecurityGroupIds the restore names', () => {
      const GROUPS = ['sg-0123456789abcdef0', 'sg-0aaaaaaaaaaaaaaa1', 'sg-0bbbbbbbbbbbbbbb2'];
      const grouped = () =>
        withDb('backup-restore', (db) => {
          db.vpcSecurityGroupIds = GROUPS;
        });
      const notFoundGroup = (id: string) =>
        awsError('InvalidGroup.NotFound', 400, `The security group '${id}' does not exist`);

      it('passes with one DescribeSecurityGroups when every group exists', async () => {
        environment();
        ec2
          .on(DescribeSecurityGroupsCommand)
          .resolves({ SecurityGroups: GROUPS.map((GroupId) => ({ GroupId })) });

        const result = await readiness({ plan: grouped() });

        expect(result.checks.map((c) => [c.name, c.status])).toEqual([
          ['snapshot-exists', 'pass'],
          ['restored-instance-absent', 'pass'],
          ['security-groups', 'pass'],
        ]);
        expect(checkNamed(result, 'security-groups').detail).toBe(
          `security groups ${GROUPS.join(', ')} exist in us-west-1`,
        );
        expect(ec2).toHaveReceivedCommandTimes(DescribeSecurityGroupsCommand, 1);
        expect(ec2).toHaveReceivedCommandWith(DescribeSecurityGroupsCommand, { GroupIds: GROUPS });
        expect(result.ready).toBe(true);
      });

      it('fails naming each missing group with its field, found by a group-id filter after InvalidGroup.NotFound', async () => {
        environment();
        ec2
          .on(DescribeSecurityGroupsCommand, { GroupIds: GROUPS })
          .rejects(notFoundGroup(GROUPS[0] as string))
          .on(DescribeSecurityGroupsCommand, { Filters: [{ Name: 'group-id', Values: GROUPS }] })
          .resolves({ SecurityGroups: [{ GroupId: GROUPS[1] }] });

        const result = await readiness({ plan: grouped() });

        expect(checkNamed(result, 'security-groups')).toEqual({
          name: 'security-groups',
          status: 'fail',
          detail: `security groups ${GROUPS[0]} (resources[0].vpcSecurityGroupIds[0]), ${GROUPS[2]} (resources[0].vpcSecurityGroupIds[2]) not found in us-west-1: create them there, or fix resources[0].vpcSecurityGroupIds; AWS refuses a restore that names them`,
        });
        expect(ec2).toHaveReceivedCommandTimes(DescribeSecurityGroupsCommand, 2);
        expect(result.ready).toBe(false);
        expect(mutatingCommandsSent([rds, ec2])).toEqual([]);
      });

      it('names the one missing group of a single-group plan', async () => {
        environment();
        ec2
          .on(DescribeSecurityGroupsCommand, { GroupIds: ['sg-0123456789abcdef0'] })
          .rejects(notFoundGroup('sg-0123456789abcdef0'))
          .on(DescribeSecurityGroupsCommand, {
            Filters: [{ Name: 'group-id', Values: ['sg-0123456789abcdef0'] }],
          })
          .resolves({ SecurityGroups: [] });
        const single = withDb('backup-restore', (db) => {
          db.vpcSecurityGroupIds = ['sg-0123456789abcdef0'];
        });

        const result = await readiness({ plan: single });

        expect(checkNamed(result, 'security-groups').detail).toBe(
          'security group sg-0123456789abcdef0 (resources[0].vpcSecurityGroupIds[0]) not found in us-west-1: create it there, or fix resources[0].vpcSecurityGroupIds; AWS refuses a restore that names it',
        );
      });

      it('throws TransientAwsError when either describe is throttled, and answers on the retry', async () => {
        environment();
        ec2
          .on(DescribeSecurityGroupsCommand, { GroupIds: GROUPS })
          .rejectsOnce(awsError('RequestLimitExceeded', 503, 'Request limit exceeded.'))
          .rejects(notFoundGroup(GROUPS[2] as string))
          .on(DescribeSecurityGroupsCommand, { Filters: [{ Name: 'group-id', Values: GROUPS }] })
          .rejectsOnce(awsError('RequestLimitExceeded', 503, 'Request limit exceeded.'))
          .resolves({ SecurityGroups: [{ GroupId: GROUPS[0] }, { GroupId: GROUPS[1] }] });

        await expect(readiness({ plan: grouped() })).rejects.toThrow(TransientAwsError);
        await expect(readiness({ plan: grouped() })).rejects.toThrow(TransientAwsError);
        const retried = await readiness({ plan: grouped() });

        expect(checkNamed(retried, 'security-groups')).toMatchObject({
          status: 'fail',
          detail: expect.stringContaining(`${GROUPS[2]} (resources[0].vpcSecurityGroupIds[2]) not found`),
        });
      });

      it('reports a denied describe as a failed check naming ec2:DescribeSecurityGroups', async () => {
        environment();
        ec2
          .on(DescribeSecurityGroupsCommand)
          .rejects(
            awsError('UnauthorizedOperation', 403, 'You are not authorized to perform this operation.'),
          );

        const result = await readiness({ plan: grouped() });

        expect(checkNamed(result, 'security-groups').status).toBe('fail');
        expect(checkNamed(result, 'security-groups').detail).toMatch(
          /^access denied to check the security groups the restore names \(ec2:DescribeSecurityGroups\) on security groups sg-0123456789abcdef0, .*grant the step's role this permission$/,
        );
        expect(result.ready).toBe(false);
      });
    });

    describe('kms-key: the state of kmsKeyArn', () => {
      const keyed = (arn = RESTORE_KMS_KEY) =>
        withDb('backup-restore', (db) => {
          db.kmsKeyArn = arn;
        });
      /** A recent snapshot copy under the plan's key, no restored instance yet. */
      function encryptedEnvironment(arn = RESTORE_KMS_KEY) {
        environment();
        rds.on(DescribeDBSnapshotsCommand).resolves({
          DBSnapshots: [
            snapshot('nightly', 5, { DBInstanceIdentifier: SOURCE_ID, Encrypted: true, KmsKeyId: arn }),
          ],
        });
      }

      it('passes an Enabled key, read with one DescribeKey', async () => {
        encryptedEnvironment();
        kms.on(DescribeKeyCommand).resolves(keyInState('Enabled', RESTORE_KMS_KEY));

        const result = await readiness({ plan: keyed() });

        expect(result.checks.map((c) => [c.name, c.status])).toEqual([
          ['snapshot-exists', 'pass'],
          ['snapshot-encryption', 'pass'],
          ['restored-instance-absent', 'pass'],
          ['kms-key', 'pass'],
        ]);
        expect(checkNamed(result, 'kms-key').detail).toBe(
          `KMS key ${RESTORE_KMS_KEY} (resources[0].kmsKeyArn) is Enabled in us-west-1`,
        );
        expect(kms).toHaveReceivedCommandTimes(DescribeKeyCommand, 1);
        expect(kms).toHaveReceivedCommandWith(DescribeKeyCommand, { KeyId: RESTORE_KMS_KEY });
        expect(result.ready).toBe(true);
      });

      it.each<[KeyState, string]>([
        ['PendingDeletion', 'cancel its deletion (CancelKeyDeletion) and enable it'],
        ['Disabled', 'enable it (EnableKey)'],
        ['PendingImport', 'import its key material (ImportKeyMaterial)'],
        ['Unavailable', 'its custom key store is disconnected: reconnect it (ConnectCustomKeyStore)'],
        ['Creating', 'wait until it is Enabled, then run readiness again'],
      ])('fails a key that is %s, naming the state, the field and the fix', async (state, fix) => {
        encryptedEnvironment();
        kms.on(DescribeKeyCommand).resolves(keyInState(state, RESTORE_KMS_KEY));

        const result = await readiness({ plan: keyed() });

        expect(checkNamed(result, 'kms-key').status).toBe('fail');
        expect(checkNamed(result, 'kms-key').detail).toContain(
          `KMS key ${RESTORE_KMS_KEY} (resources[0].kmsKeyArn) is ${state} in us-west-1, not Enabled: a restore of a snapshot copy encrypted with it fails; ${fix}`,
        );
        expect(result.ready).toBe(false);
      });

      it('fails a key KMS does not know, naming the field (and the region when the ARN names another)', async () => {
        encryptedEnvironment();
        kms.on(DescribeKeyCommand).rejects(awsError('NotFoundException', 400, 'Key does not exist'));

        const missing = await readiness({ plan: keyed() });
        const elsewhere = await readiness({ plan: keyed(KMS_KEY) });

        expect(checkNamed(missing, 'kms-key')).toEqual({
          name: 'kms-key',
          status: 'fail',
          detail: `KMS key ${RESTORE_KMS_KEY} (resources[0].kmsKeyArn) not found in us-west-1: copy the snapshots with a key of us-west-1 and set resources[0].kmsKeyArn to its ARN`,
        });
        expect(checkNamed(elsewhere, 'kms-key').detail).toBe(
          `KMS key ${KMS_KEY} (resources[0].kmsKeyArn) not found in us-west-1 (the ARN names us-west-2: a snapshot copy in us-west-1 is encrypted with a key of us-west-1): copy the snapshots with a key of us-west-1 and set resources[0].kmsKeyArn to its ARN`,
        );
        expect(missing.ready).toBe(false);
      });

      it('throws TransientAwsError when DescribeKey is throttled, and reports a denied one as a failed check naming kms:DescribeKey', async () => {
        encryptedEnvironment();
        kms
          .on(DescribeKeyCommand)
          .rejectsOnce(awsError('ThrottlingException', 400, 'Rate exceeded'))
          .rejects(
            awsError('AccessDeniedException', 400, 'User is not authorized to perform: kms:DescribeKey'),
          );

        await expect(readiness({ plan: keyed() })).rejects.toThrow(TransientAwsError);
        const denied = await readiness({ plan: keyed() });

        expect(checkNamed(denied, 'kms-key').status).toBe('fail');
        expect(checkNamed(denied, 'kms-key').detail).toMatch(
          /^access denied to read the state of the KMS key \(kms:DescribeKey\) on KMS key arn:aws:kms:us-west-1:.*grant the step's role this permission$/,
        );
        expect(denied.ready).toBe(false);
      });
    });

    it('reports access denied as failed checks, and throws TransientAwsError on throttling until the retry answers', async () => {
      rds.on(DescribeDBInstancesCommand).rejects(accessDenied());
      rds.on(DescribeDBSnapshotsCommand).rejectsOnce(throttling()).rejects(accessDenied());

      await expect(readiness({ plan })).rejects.toThrow(TransientAwsError);
      const denied = await readiness({ plan });

      expect(denied.checks.map((c) => [c.name, c.status])).toEqual([
        ['snapshot-exists', 'fail'],
        ['restored-instance-absent', 'fail'],
      ]);
      expect(checkNamed(denied, 'snapshot-exists').detail).toMatch(/access denied .*reports-db.*grant/);
    });
  });

  describe('rds-snapshot-restore failover: restore the newest snapshot to restoredInstanceId', () => {
    beforeEach(() => {
      rds.reset();
      cloudwatch.reset();
    });

    it('restores the newest snapshot of the source to the plan instance, tagged as failover; the RPO is the snapshot age', async () => {
      environment();

      const result = await start();

      expect(rds.commandCalls(RestoreDBInstanceFromDBSnapshotCommand)[0]?.args[0].input).toEqual({
        DBInstanceIdentifier: RESTORED_ID,
        DBSnapshotIdentifier: 'nightly',
        DBInstanceClass: 'db.r6g.large',
        PubliclyAccessible: false,
        Tags: [
          { Key: 'dr-runbook:plan', Value: 'reports' },
          { Key: 'dr-runbook:run-id', Value: RUN_ID },
          { Key: 'dr-runbook:purpose', Value: 'failover' },
          { Key: 'dr-runbook:resource', Value: 'db' },
        ],
      });
      expect(rds).toHaveReceivedCommandWith(DescribeDBInstancesCommand, {
        DBInstanceIdentifier: RESTORED_ID,
      });
      expect(rds).toHaveReceivedCommandWith(DescribeDBSnapshotsCommand, {
        Filters: [{ Name: 'db-instance-id', Values: [SOURCE_ID] }],
      });
      expect(cloudwatch.calls()).toHaveLength(0);
      expect(result).toMatchObject({
        resource: 'db',
        type: 'rds-snapshot-restore',
        done: false,
        state: {
          operation: 'restore',
          instanceId: RESTORED_ID,
          snapshotId: 'nightly',
          startedAt: RUN_STARTED_AT,
        },
        changes: [{ resource: RESTORED_ID, action: 'restore-db-instance-from-snapshot' }],
        measurements: { rpoSeconds: 18000, snapshotAgeSeconds: 18000, snapshotId: 'nightly' },
      });
    });

    it('sends the subnet group, security groups and parameter group the plan names', async () => {
      environment();
      const placed = withDb('backup-restore', (db) => {
        db.dbSubnetGroupName = 'reports-recovery-subnets';
        db.vpcSecurityGroupIds = ['sg-0123456789abcdef0'];
        db.dbParameterGroupName = 'reports-pg15';
      });

      await start('failover', { plan: placed });

      expect(rds).toHaveReceivedCommandWith(RestoreDBInstanceFromDBSnapshotCommand, {
        DBInstanceIdentifier: RESTORED_ID,
        DBSubnetGroupName: 'reports-recovery-subnets',
        VpcSecurityGroupIds: ['sg-0123456789abcdef0'],
        DBParameterGroupName: 'reports-pg15',
      });
    });

    it('is idempotent: a re-run polls the existing plan instance instead of restoring a second copy', async () => {
      rds
        .on(DescribeDBInstancesCommand)
        .resolves({ DBInstances: [recovered({ DBInstanceStatus: 'creating' })] });
      const earlier = {
        ...startedState('restore', RESTORED_ID, { snapshotId: 'nightly' }),
        measurements: { rpoSeconds: 18000 },
      };

      const result = await start('failover', { state: earlier });

      expect(result).toMatchObject({
        done: false,
        state: { operation: 'restore', instanceId: RESTORED_ID, snapshotId: 'nightly' },
        measurements: { rpoSeconds: 18000 },
      });
      expect(result.detail).toContain('created by this run');
      expect(rds).not.toHaveReceivedCommand(RestoreDBInstanceFromDBSnapshotCommand);
      expect(rds).not.toHaveReceivedCommand(DescribeDBSnapshotsCommand);
    });

    it('uses an instance that existed before the run as it is, saying the RPO is not measured', async () => {
      rds.on(DescribeDBInstancesCommand).resolves({
        DBInstances: [{ DBInstanceIdentifier: RESTORED_ID, DBInstanceStatus: 'available' }],
      });

      const result = await start();

      expect(result).toMatchObject({
        done: true,
        measurements: { note: expect.stringContaining('existed before this run') },
      });
      expect(result.measurements).not.toHaveProperty('restoreSeconds');
      expect(rds).not.toHaveReceivedCommand(RestoreDBInstanceFromDBSnapshotCommand);
    });

    it('is in progress until the instance is available, then reports the restore time', async () => {
      environment();
      rds
        .on(DescribeDBInstancesCommand)
        .rejectsOnce(notFound())
        .resolvesOnce({ DBInstances: [recovered({ DBInstanceStatus: 'creating' })] })
        .resolves({ DBInstances: [recovered()] });
      const clock = testClock();
      const started = await start('failover');

      clock.advance(400);
      const creating = await check(started.state, 'failover', clock);
      clock.advance(500);
      const done = await check(creating.state, 'failover', clock);

      expect(creating).toMatchObject({ done: false, nextCheckSeconds: 12 });
      expect(creating.detail).toContain('"creating", waiting for "available"');
      expect(done).toMatchObject({
        done: true,
        measurements: { rpoSeconds: 18000, restoreSeconds: 900, snapshotId: 'nightly' },
        changes: [{ resource: RESTORED_ID, action: 'restore-db-instance-from-snapshot' }],
      });
    });

    it('throws TransientAwsError when throttled, and restores when Step Functions retries', async () => {
      environment();
      rds.on(RestoreDBInstanceFromDBSnapshotCommand).rejectsOnce(throttling()).resolves({});

      await expect(start()).rejects.toThrow(TransientAwsError);
      const retried = await start();

      expect(retried.changes).toHaveLength(1);
      expect(rds).toHaveReceivedCommandTimes(RestoreDBInstanceFromDBSnapshotCommand, 2);
    });

    it('throws SnapshotNotFoundError naming the source field when there is no snapshot', async () => {
      environment();
      rds.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: [] });

      const error = await start().catch((e: unknown) => e);

      expect(error).toBeInstanceOf(SnapshotNotFoundError);
      expect((error as Error).message).toContain(
        `no available DB snapshot of ${SOURCE_ID} (resources[0].sourceInstanceId) in us-west-1`,
      );
      expect(rds).not.toHaveReceivedCommand(RestoreDBInstanceFromDBSnapshotCommand);
    });

    it('throws DatabaseInstanceNotFoundError when the instance being restored disappears', async () => {
      rds.on(DescribeDBInstancesCommand).rejects(notFound());

      await expect(check(startedState('restore', RESTORED_ID))).rejects.toThrow(
        DatabaseInstanceNotFoundError,
      );
    });

    it('throws AccessDeniedError when the role may not restore', async () => {
      environment();
      rds.on(RestoreDBInstanceFromDBSnapshotCommand).rejects(accessDenied());

      await expect(start()).rejects.toThrow(AccessDeniedError);
    });
  });

  describe('rds-snapshot-restore switchover: refused, a restore is never lossless', () => {
    beforeEach(() => {
      rds.reset();
      cloudwatch.reset();
      ec2.reset();
      kms.reset();
    });

    it('refuses start and check with InvalidStepInputError saying why and that failover is the mode, touching nothing', async () => {
      environment();

      const refused = start('switchover');
      await expect(refused).rejects.toThrow(InvalidStepInputError);
      await expect(refused).rejects.toThrow(
        'database start refused: db is an rds-snapshot-restore: a switchover is lossless, and restoring reports-db\'s newest snapshot loses everything written after it, so this type cannot switch over; run a failover (mode "failover")',
      );
      await expect(check(startedState('restore', RESTORED_ID), 'switchover')).rejects.toThrow(
        /database check refused: .*cannot switch over/,
      );
      expect(rds.calls()).toHaveLength(0);
    });

    it('fails its switchover readiness with the same reason, and keeps the other checks', async () => {
      environment();

      const result = await readiness({ plan, mode: 'switchover' });

      expect(result.ready).toBe(false);
      expect(result.checks.map((c) => [c.name, c.status])).toEqual([
        ['switchover-possible', 'fail'],
        ['snapshot-exists', 'pass'],
        ['restored-instance-absent', 'pass'],
      ]);
      expect(result.checks[0]?.detail).toContain('run a failover');
    });
  });

  describe('rds-snapshot-restore drill: restore to a temporary instance', () => {
    beforeEach(() => {
      rds.reset();
      cloudwatch.reset();
    });

    it('drills into a temporary instance, not the plan instance; the RPO is still the snapshot age', async () => {
      environment();

      const result = await start('drill');

      const input = rds.commandCalls(RestoreDBInstanceFromDBSnapshotCommand)[0]?.args[0].input;
      expect(input).toMatchObject({
        DBInstanceIdentifier: RESTORE_DRILL_ID,
        DBInstanceClass: 'db.r6g.large',
        MultiAZ: false,
        DeletionProtection: false,
      });
      expect(input?.Tags).toContainEqual({ Key: 'dr-runbook:purpose', Value: 'drill' });
      expect(input?.Tags).toContainEqual({ Key: 'dr-runbook:resource', Value: 'db' });
      expect(rds).not.toHaveReceivedCommandWith(DescribeDBInstancesCommand, {
        DBInstanceIdentifier: RESTORED_ID,
      });
      expect(result.measurements).toMatchObject({ rpoSeconds: 18000, snapshotAgeSeconds: 18000 });
      expect(cloudwatch).not.toHaveReceivedCommand(GetMetricStatisticsCommand);
    });

    it('refuses an instance with the drill name that this run did not create', async () => {
      rds.on(DescribeDBInstancesCommand).resolves({
        DBInstances: [restoredInstance({}, { id: RESTORE_DRILL_ID, plan: 'reports', runId: 'other-run' })],
      });

      await expect(start('drill')).rejects.toThrow(InvalidResourceStateError);
      expect(rds).not.toHaveReceivedCommand(RestoreDBInstanceFromDBSnapshotCommand);
    });

    it('checks the temporary instance, and revert deletes it (never the plan instance)', async () => {
      rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [recovered({}, 'drill')] });
      rds.on(DeleteDBInstanceCommand).resolves({});

      const checked = await check(startedState('restore', RESTORE_DRILL_ID), 'drill');
      const reverted = await progress('revert', { plan, mode: 'drill' });

      expect(checked.done).toBe(true);
      expect(reverted).toMatchObject({
        done: false,
        changes: [{ resource: RESTORE_DRILL_ID, action: 'delete-db-instance' }],
      });
      expect(
        rds.commandCalls(DeleteDBInstanceCommand).map((c) => c.args[0].input.DBInstanceIdentifier),
      ).toEqual([RESTORE_DRILL_ID]);
      await expect(check(startedState('restore', RESTORED_ID), 'drill')).rejects.toThrow(
        `but its drill is a restore of ${RESTORE_DRILL_ID}`,
      );
    });
  });
});
