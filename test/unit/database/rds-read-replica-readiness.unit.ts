import 'aws-sdk-client-mock-jest';
import { CloudWatchClient, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { DescribeDBInstancesCommand, DescribeDBSnapshotsCommand, RDSClient } from '@aws-sdk/client-rds';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { DRILL_RESTORE_EXPECTED_SECONDS } from '../../../functions/shared/deadlines.ts';
import { TransientAwsError } from '../../../functions/shared/errors.ts';
import { mockClient } from '../../aws-mock.ts';
import { accessDenied, awsError, mutatingCommandsSent, throttling } from '../../fixtures.ts';
import {
  checkNamed,
  KMS_KEY,
  keyInState,
  lagPoint,
  notFound,
  OTHER_KMS_KEY,
  PRIMARY_ID,
  REPLICA_ID,
  readiness,
  replica,
  secondsBeforeStart,
  snapshot,
  withDb,
} from './database-fixtures.ts';

describe('rds-read-replica-readiness', () => {
  const rds = mockClient(RDSClient);
  const cloudwatch = mockClient(CloudWatchClient);
  const kms = mockClient(KMSClient);

  /** A healthy rds-read-replica environment. */
  function healthy() {
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [replica()] });
    rds.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: [snapshot('rds:shop-db-2026-11-25', 3)] });
    cloudwatch.on(GetMetricStatisticsCommand).resolves({ Datapoints: [lagPoint(120, 4), lagPoint(60, 12)] });
    kms.on(DescribeKeyCommand).resolves(keyInState('Enabled'));
  }

  const kmsPlan = (kmsKeyArn?: string) =>
    withDb('warm-standby', (db) => {
      db.drill = { ...(db.drill as object), ...(kmsKeyArn ? { kmsKeyArn } : {}) };
    });

  describe('rds-read-replica readiness', () => {
    beforeEach(() => {
      rds.reset();
      cloudwatch.reset();
      kms.reset();
    });

    it('passes every check of a healthy replica and predicts the promotion time, changing nothing', async () => {
      healthy();

      const result = await readiness();

      expect(result).toMatchObject({
        family: 'database',
        resource: 'db',
        type: 'rds-read-replica',
        ready: true,
        predictedSeconds: 300,
      });
      expect(result).not.toHaveProperty('strategy');
      expect(result.checks.map((c) => [c.name, c.status])).toEqual([
        ['replica-available', 'pass'],
        ['replicates-from-primary', 'pass'],
        ['replica-lag', 'pass'],
        ['recent-snapshot', 'pass'],
      ]);
      expect(rds).toHaveReceivedCommandWith(DescribeDBInstancesCommand, { DBInstanceIdentifier: REPLICA_ID });
      expect(mutatingCommandsSent([rds, cloudwatch])).toEqual([]);
    });

    it('reads the maximum ReplicaLag of the replica over the last 10 minutes', async () => {
      healthy();

      await readiness();

      expect(cloudwatch).toHaveReceivedCommandWith(GetMetricStatisticsCommand, {
        Namespace: 'AWS/RDS',
        MetricName: 'ReplicaLag',
        Dimensions: [{ Name: 'DBInstanceIdentifier', Value: REPLICA_ID }],
        StartTime: secondsBeforeStart(600),
        Period: 60,
        Statistics: ['Maximum'],
      });
    });

    it('predicts a snapshot restore, not a promotion, for a drill', async () => {
      healthy();

      const result = await readiness({ mode: 'drill' });

      expect(result.predictedSeconds).toBe(DRILL_RESTORE_EXPECTED_SECONDS);
    });

    it('fails when the replica does not exist, naming it and its plan field, without throwing', async () => {
      healthy();
      rds.on(DescribeDBInstancesCommand).rejects(notFound());

      const result = await readiness();

      expect(result.ready).toBe(false);
      expect(checkNamed(result, 'replica-available')).toMatchObject({ status: 'fail' });
      expect(checkNamed(result, 'replica-available').detail).toContain(
        `${REPLICA_ID} not found in us-west-2: create the cross-region read replica or fix resources[0].replicaInstanceId`,
      );
      expect(checkNamed(result, 'replicates-from-primary').status).toBe('fail');
      expect(mutatingCommandsSent([rds, cloudwatch])).toEqual([]);
    });

    it('fails a replica that is not available, with its status', async () => {
      healthy();
      rds
        .on(DescribeDBInstancesCommand)
        .resolves({ DBInstances: [replica({ DBInstanceStatus: 'storage-full' })] });

      const result = await readiness();

      expect(checkNamed(result, 'replica-available')).toMatchObject({ status: 'fail' });
      expect(checkNamed(result, 'replica-available').detail).toContain('"storage-full"');
    });

    it('accepts the primary named by identifier, fails another source and warns when already standalone', async () => {
      healthy();
      rds
        .on(DescribeDBInstancesCommand)
        .resolvesOnce({ DBInstances: [replica({ ReadReplicaSourceDBInstanceIdentifier: PRIMARY_ID })] })
        .resolvesOnce({
          DBInstances: [
            replica({ ReadReplicaSourceDBInstanceIdentifier: 'arn:aws:rds:us-east-1:1:db:other-db' }),
          ],
        })
        .resolvesOnce({ DBInstances: [replica({ ReadReplicaSourceDBInstanceIdentifier: undefined })] });

      const [byId, other, standalone] = [await readiness(), await readiness(), await readiness()];

      expect(checkNamed(byId, 'replicates-from-primary').status).toBe('pass');
      expect(checkNamed(other, 'replicates-from-primary')).toMatchObject({ status: 'fail' });
      expect(checkNamed(other, 'replicates-from-primary').detail).toContain(
        'other-db, not from shop-db: fix resources[0].primaryInstanceId or resources[0].replicaInstanceId',
      );
      expect(checkNamed(standalone, 'replicates-from-primary')).toMatchObject({ status: 'warn' });
      expect(checkNamed(standalone, 'replicates-from-primary').detail).toContain('promotion will be a no-op');
    });

    it('fails a replica lag above the RPO objective and warns when there are no datapoints', async () => {
      healthy();
      cloudwatch
        .on(GetMetricStatisticsCommand)
        .resolvesOnce({ Datapoints: [lagPoint(300, 20), lagPoint(240, 301), lagPoint(60, 5)] })
        .resolvesOnce({ Datapoints: [] });

      const lagging = await readiness();
      const silent = await readiness();

      expect(checkNamed(lagging, 'replica-lag')).toMatchObject({ status: 'fail' });
      expect(checkNamed(lagging, 'replica-lag').detail).toContain('301 s, above the RPO of 300 s');
      expect(checkNamed(silent, 'replica-lag').status).toBe('warn');
    });

    it('finds the newest available snapshot of primary or replica across pages', async () => {
      healthy();
      rds
        .on(DescribeDBSnapshotsCommand)
        .resolvesOnce({ DBSnapshots: [snapshot('old', 30)], Marker: 'page-2' })
        .resolvesOnce({
          DBSnapshots: [snapshot('creating', 0, { Status: 'creating' }), snapshot('newest', 2)],
        });

      const result = await readiness();

      expect(checkNamed(result, 'recent-snapshot')).toMatchObject({ status: 'pass' });
      expect(checkNamed(result, 'recent-snapshot').detail).toContain('newest snapshot newest');
      expect(rds).toHaveReceivedCommandWith(DescribeDBSnapshotsCommand, {
        Filters: [{ Name: 'db-instance-id', Values: [PRIMARY_ID, REPLICA_ID] }],
      });
      expect(rds).toHaveReceivedCommandWith(DescribeDBSnapshotsCommand, { Marker: 'page-2' });
    });

    it('warns about a snapshot older than the limit, naming the field', async () => {
      healthy();
      rds.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: [snapshot('stale', 30)] });

      const result = await readiness();

      expect(checkNamed(result, 'recent-snapshot')).toMatchObject({ status: 'warn' });
      expect(checkNamed(result, 'recent-snapshot').detail).toContain(
        'older than 24 h (resources[0].drill.snapshotMaxAgeHours)',
      );
    });

    it('fails a missing snapshot in a drill (it restores one) but only warns otherwise', async () => {
      healthy();
      rds.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: [] });

      const drill = await readiness({ mode: 'drill' });
      const failover = await readiness({ mode: 'failover' });

      expect(checkNamed(drill, 'recent-snapshot').status).toBe('fail');
      expect(drill.ready).toBe(false);
      expect(checkNamed(failover, 'recent-snapshot').status).toBe('warn');
    });

    describe('drill.kmsKeyArn', () => {
      /** healthy(), with the newest snapshot copy under KMS_KEY. */
      function encrypted() {
        healthy();
        rds.on(DescribeDBSnapshotsCommand).resolves({
          DBSnapshots: [snapshot('copy', 2, { Encrypted: true, KmsKeyId: KMS_KEY })],
        });
      }

      it('passes when the newest snapshot copy is encrypted with the plan key, and the key is Enabled', async () => {
        encrypted();

        const result = await readiness({ mode: 'drill', plan: kmsPlan(KMS_KEY) });

        expect(checkNamed(result, 'snapshot-encryption')).toMatchObject({ status: 'pass' });
        expect(result.checks.map((c) => [c.name, c.status])).toEqual([
          ['replica-available', 'pass'],
          ['replicates-from-primary', 'pass'],
          ['replica-lag', 'pass'],
          ['recent-snapshot', 'pass'],
          ['snapshot-encryption', 'pass'],
          ['kms-key', 'pass'],
        ]);
        expect(checkNamed(result, 'kms-key').detail).toBe(
          `KMS key ${KMS_KEY} (resources[0].drill.kmsKeyArn) is Enabled in us-west-2`,
        );
        expect(kms).toHaveReceivedCommandWith(DescribeKeyCommand, { KeyId: KMS_KEY });
        expect(result.ready).toBe(true);
      });

      it('reads no key the plan does not name', async () => {
        healthy();

        const result = await readiness({ mode: 'drill' });

        expect(result.checks.map((c) => c.name)).not.toContain('kms-key');
        expect(kms.calls()).toHaveLength(0);
      });

      it('fails a drill whose key is PendingDeletion, naming the state, the field and the fix; only warns outside a drill', async () => {
        encrypted();
        kms.on(DescribeKeyCommand).resolves(keyInState('PendingDeletion'));

        const drill = await readiness({ mode: 'drill', plan: kmsPlan(KMS_KEY) });
        const failover = await readiness({ mode: 'failover', plan: kmsPlan(KMS_KEY) });

        expect(checkNamed(drill, 'kms-key')).toEqual({
          name: 'kms-key',
          status: 'fail',
          detail: `KMS key ${KMS_KEY} (resources[0].drill.kmsKeyArn) is PendingDeletion in us-west-2, not Enabled: a restore of a snapshot copy encrypted with it fails; cancel its deletion (CancelKeyDeletion) and enable it; once it is deleted, no snapshot encrypted with it can be restored`,
        });
        expect(drill.ready).toBe(false);
        expect(checkNamed(failover, 'kms-key').status).toBe('warn');
        expect(failover.ready).toBe(true);
      });

      it('fails a drill whose key KMS does not know, naming drill.kmsKeyArn', async () => {
        encrypted();
        kms.on(DescribeKeyCommand).rejects(awsError('NotFoundException', 400, 'Key does not exist'));

        const result = await readiness({ mode: 'drill', plan: kmsPlan(KMS_KEY) });

        expect(checkNamed(result, 'kms-key')).toMatchObject({
          status: 'fail',
          detail: `KMS key ${KMS_KEY} (resources[0].drill.kmsKeyArn) not found in us-west-2: copy the snapshots with a key of us-west-2 and set resources[0].drill.kmsKeyArn to its ARN`,
        });
      });

      it('throws TransientAwsError when DescribeKey is throttled; a denied one is a failed check naming kms:DescribeKey', async () => {
        encrypted();
        kms
          .on(DescribeKeyCommand)
          .rejectsOnce(throttling())
          .rejects(awsError('AccessDeniedException', 400, 'not authorized to perform: kms:DescribeKey'));

        await expect(readiness({ mode: 'drill', plan: kmsPlan(KMS_KEY) })).rejects.toThrow(TransientAwsError);
        const denied = await readiness({ mode: 'failover', plan: kmsPlan(KMS_KEY) });

        expect(checkNamed(denied, 'kms-key')).toMatchObject({
          status: 'fail',
          detail: expect.stringMatching(
            /^access denied to read the state of the KMS key \(kms:DescribeKey\) on KMS key arn:aws:kms:us-west-2:.*grant the step's role this permission$/,
          ),
        });
      });

      it('fails a drill whose newest snapshot is unencrypted or under another key, naming the field and the fix', async () => {
        healthy();
        rds
          .on(DescribeDBSnapshotsCommand)
          .resolvesOnce({ DBSnapshots: [snapshot('plain', 2)] })
          .resolvesOnce({
            DBSnapshots: [snapshot('other', 2, { Encrypted: true, KmsKeyId: OTHER_KMS_KEY })],
          });

        const plain = await readiness({ mode: 'drill', plan: kmsPlan(KMS_KEY) });
        const other = await readiness({ mode: 'drill', plan: kmsPlan(KMS_KEY) });

        expect(checkNamed(plain, 'snapshot-encryption')).toMatchObject({ status: 'fail' });
        expect(checkNamed(plain, 'snapshot-encryption').detail).toContain(
          `newest snapshot plain is not encrypted, but resources[0].drill.kmsKeyArn is ${KMS_KEY}: copy the snapshots to the recovery region encrypted with that key`,
        );
        expect(checkNamed(other, 'snapshot-encryption')).toMatchObject({ status: 'fail' });
        expect(checkNamed(other, 'snapshot-encryption').detail).toContain(
          `encrypted with KMS key ${OTHER_KMS_KEY}, not with resources[0].drill.kmsKeyArn (${KMS_KEY})`,
        );
        expect([plain.ready, other.ready]).toEqual([false, false]);
      });

      it('only warns of a key mismatch outside a drill: a failover promotes the replica', async () => {
        healthy();
        rds.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: [snapshot('plain', 2)] });

        const result = await readiness({ mode: 'failover', plan: kmsPlan(KMS_KEY) });

        expect(checkNamed(result, 'snapshot-encryption').status).toBe('warn');
      });

      it('warns, naming kmsKeyArn, when the snapshot is encrypted and the plan names no key; says nothing of plain snapshots', async () => {
        healthy();
        rds
          .on(DescribeDBSnapshotsCommand)
          .resolvesOnce({ DBSnapshots: [snapshot('enc', 2, { Encrypted: true, KmsKeyId: KMS_KEY })] })
          .resolvesOnce({ DBSnapshots: [snapshot('plain', 2)] });

        const encrypted = await readiness({ mode: 'drill' });
        const plain = await readiness({ mode: 'drill' });

        expect(checkNamed(encrypted, 'snapshot-encryption')).toMatchObject({ status: 'warn' });
        expect(checkNamed(encrypted, 'snapshot-encryption').detail).toContain(
          `encrypted with KMS key ${KMS_KEY}, and resources[0].drill.kmsKeyArn is not set: set resources[0].drill.kmsKeyArn`,
        );
        expect(encrypted.ready).toBe(true);
        expect(plain.checks.map((c) => c.name)).not.toContain('snapshot-encryption');
      });
    });

    it('reports access denied as failed checks naming the resource and the fix', async () => {
      rds.on(DescribeDBInstancesCommand).rejects(accessDenied());
      rds.on(DescribeDBSnapshotsCommand).rejects(accessDenied());
      cloudwatch.on(GetMetricStatisticsCommand).rejects(accessDenied());

      const result = await readiness();

      expect(result.checks.map((c) => c.status)).toEqual(['fail', 'fail', 'fail', 'fail']);
      expect(checkNamed(result, 'replica-available').detail).toMatch(
        /access denied .*shop-db-replica.*grant/,
      );
      expect(checkNamed(result, 'replica-lag').detail).toContain('ReplicaLag metric of shop-db-replica');
      expect(checkNamed(result, 'recent-snapshot').detail).toContain(
        'access denied to describe DB snapshots',
      );
      expect(mutatingCommandsSent([rds, cloudwatch])).toEqual([]);
    });

    it('throws TransientAwsError on throttling so Step Functions retries, and answers on the retry', async () => {
      healthy();
      rds
        .on(DescribeDBInstancesCommand)
        .rejectsOnce(throttling())
        .resolves({ DBInstances: [replica()] });

      await expect(readiness()).rejects.toThrow(TransientAwsError);
      await expect(readiness()).resolves.toMatchObject({ ready: true });
    });
  });
});
