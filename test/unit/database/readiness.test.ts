import { CloudWatchClient, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeDBInstancesCommand, DescribeDBSnapshotsCommand, RDSClient } from '@aws-sdk/client-rds';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { DRILL_RESTORE_SECONDS, readiness } from '../../../functions/database/readiness.ts';
import { TransientAwsError } from '../../../functions/shared/errors.ts';
import type { ReadinessResult } from '../../../functions/shared/step-contract.ts';
import { accessDenied, mutatingCommandsSent, stepEvent, testClock, throttling } from '../../fixtures.ts';
import {
  databaseClients,
  lagPoint,
  noDatabasePlan,
  notFound,
  PRIMARY_ID,
  REPLICA_ID,
  replica,
  restorePlan,
  secondsBeforeStart,
  snapshot,
} from './database-fixtures.ts';

const rds = mockClient(RDSClient);
const cloudwatch = mockClient(CloudWatchClient);

function check(result: ReadinessResult, name: string) {
  const found = result.checks.find((c) => c.name === name);
  if (!found) throw new Error(`no check named ${name} in ${JSON.stringify(result.checks)}`);
  return found;
}

/** A healthy promote-read-replica environment. */
function healthy() {
  rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [replica()] });
  rds.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: [snapshot('rds:shop-db-2026-11-25', 3)] });
  cloudwatch.on(GetMetricStatisticsCommand).resolves({ Datapoints: [lagPoint(120, 4), lagPoint(60, 12)] });
}

describe('readiness (promote-read-replica)', () => {
  beforeEach(() => {
    rds.reset();
    cloudwatch.reset();
  });

  it('passes every check of a healthy replica and predicts the promotion time, changing nothing', async () => {
    healthy();

    const result = await readiness(
      stepEvent('readiness', { mode: 'dry-run' }),
      databaseClients(),
      testClock(),
    );

    expect(result).toMatchObject({
      family: 'database',
      strategy: 'promote-read-replica',
      predictedSeconds: 300,
    });
    expect(result.checks.map((c) => [c.name, c.status])).toEqual([
      ['replica-available', 'pass'],
      ['replicates-from-primary', 'pass'],
      ['replica-lag', 'pass'],
      ['recent-snapshot', 'pass'],
    ]);
    expect(mutatingCommandsSent([rds, cloudwatch])).toEqual([]);
  });

  it('reads the maximum ReplicaLag of the replica over the last 10 minutes', async () => {
    healthy();

    await readiness(stepEvent('readiness'), databaseClients(), testClock());

    expect(cloudwatch).toHaveReceivedCommandWith(GetMetricStatisticsCommand, {
      Namespace: 'AWS/RDS',
      MetricName: 'ReplicaLag',
      Dimensions: [{ Name: 'DBInstanceIdentifier', Value: REPLICA_ID }],
      StartTime: secondsBeforeStart(600),
      Statistics: ['Maximum'],
    });
  });

  it('predicts a snapshot restore, not a promotion, for a drill', async () => {
    healthy();

    const result = await readiness(stepEvent('readiness', { mode: 'drill' }), databaseClients(), testClock());

    expect(result.predictedSeconds).toBe(DRILL_RESTORE_SECONDS);
  });

  it('fails when the replica does not exist, naming it, without throwing or changing anything', async () => {
    healthy();
    rds.on(DescribeDBInstancesCommand).rejects(notFound());

    const result = await readiness(stepEvent('readiness'), databaseClients(), testClock());

    expect(check(result, 'replica-available')).toMatchObject({ status: 'fail' });
    expect(check(result, 'replica-available').detail).toContain(`${REPLICA_ID} not found in us-west-2`);
    expect(check(result, 'replicates-from-primary').status).toBe('fail');
    expect(mutatingCommandsSent([rds, cloudwatch])).toEqual([]);
  });

  it('fails a replica that is not available, with its status', async () => {
    healthy();
    rds
      .on(DescribeDBInstancesCommand)
      .resolves({ DBInstances: [replica({ DBInstanceStatus: 'storage-full' })] });

    const result = await readiness(stepEvent('readiness'), databaseClients(), testClock());

    expect(check(result, 'replica-available')).toMatchObject({ status: 'fail' });
    expect(check(result, 'replica-available').detail).toContain('"storage-full"');
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
    const run = () => readiness(stepEvent('readiness'), databaseClients(), testClock());

    const [byId, other, standalone] = [await run(), await run(), await run()];

    expect(check(byId, 'replicates-from-primary').status).toBe('pass');
    expect(check(other, 'replicates-from-primary')).toMatchObject({ status: 'fail' });
    expect(check(other, 'replicates-from-primary').detail).toContain('other-db');
    expect(check(standalone, 'replicates-from-primary')).toMatchObject({ status: 'warn' });
    expect(check(standalone, 'replicates-from-primary').detail).toContain('promotion will be a no-op');
  });

  it('fails a replica lag above the RPO objective and warns when there are no datapoints', async () => {
    healthy();
    cloudwatch
      .on(GetMetricStatisticsCommand)
      .resolvesOnce({ Datapoints: [lagPoint(300, 20), lagPoint(240, 301), lagPoint(60, 5)] })
      .resolvesOnce({ Datapoints: [] });

    const lagging = await readiness(stepEvent('readiness'), databaseClients(), testClock());
    const silent = await readiness(stepEvent('readiness'), databaseClients(), testClock());

    expect(check(lagging, 'replica-lag')).toMatchObject({ status: 'fail' });
    expect(check(lagging, 'replica-lag').detail).toContain('301 s, above the RPO of 300 s');
    expect(check(silent, 'replica-lag').status).toBe('warn');
  });

  it('finds the newest available snapshot of primary or replica across pages', async () => {
    healthy();
    rds
      .on(DescribeDBSnapshotsCommand)
      .resolvesOnce({ DBSnapshots: [snapshot('old', 30)], Marker: 'page-2' })
      .resolvesOnce({
        DBSnapshots: [snapshot('creating', 0, { Status: 'creating' }), snapshot('newest', 2)],
      });

    const result = await readiness(stepEvent('readiness'), databaseClients(), testClock());

    expect(check(result, 'recent-snapshot')).toMatchObject({ status: 'pass' });
    expect(check(result, 'recent-snapshot').detail).toContain('newest snapshot newest');
    expect(rds).toHaveReceivedCommandWith(DescribeDBSnapshotsCommand, {
      Filters: [{ Name: 'db-instance-id', Values: [PRIMARY_ID, REPLICA_ID] }],
    });
    expect(rds).toHaveReceivedCommandWith(DescribeDBSnapshotsCommand, { Marker: 'page-2' });
  });

  it('warns about a snapshot older than the limit', async () => {
    healthy();
    rds.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: [snapshot('stale', 30)] });

    const result = await readiness(stepEvent('readiness'), databaseClients(), testClock());

    expect(check(result, 'recent-snapshot')).toMatchObject({ status: 'warn' });
    expect(check(result, 'recent-snapshot').detail).toContain('older than 24 h');
  });

  it('fails a missing snapshot in a drill (it restores one) but only warns otherwise', async () => {
    healthy();
    rds.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: [] });

    const drill = await readiness(stepEvent('readiness', { mode: 'drill' }), databaseClients(), testClock());
    const failover = await readiness(
      stepEvent('readiness', { mode: 'failover' }),
      databaseClients(),
      testClock(),
    );

    expect(check(drill, 'recent-snapshot').status).toBe('fail');
    expect(check(failover, 'recent-snapshot').status).toBe('warn');
  });

  it('reports access denied as failed checks naming the resource and the fix', async () => {
    rds.on(DescribeDBInstancesCommand).rejects(accessDenied());
    rds.on(DescribeDBSnapshotsCommand).rejects(accessDenied());
    cloudwatch.on(GetMetricStatisticsCommand).rejects(accessDenied());

    const result = await readiness(stepEvent('readiness'), databaseClients(), testClock());

    expect(result.checks.map((c) => c.status)).toEqual(['fail', 'fail', 'fail', 'fail']);
    expect(check(result, 'replica-available').detail).toMatch(/access denied .*shop-db-replica.*grant/);
    expect(check(result, 'replica-lag').detail).toContain('ReplicaLag metric of shop-db-replica');
    expect(mutatingCommandsSent([rds, cloudwatch])).toEqual([]);
  });

  it('throws TransientAwsError on throttling so Step Functions retries', async () => {
    healthy();
    rds.on(DescribeDBInstancesCommand).rejects(throttling());

    await expect(readiness(stepEvent('readiness'), databaseClients(), testClock())).rejects.toThrow(
      TransientAwsError,
    );
  });
});

describe('readiness (restore-latest-snapshot and none)', () => {
  beforeEach(() => {
    rds.reset();
    cloudwatch.reset();
  });

  it('passes with a recent snapshot and no restored instance yet, predicting the restore time', async () => {
    rds.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: [snapshot('recent', 1)] });
    rds.on(DescribeDBInstancesCommand).rejects(notFound());

    const result = await readiness(
      stepEvent('readiness', { plan: restorePlan() }),
      databaseClients(),
      testClock(),
    );

    expect(result).toMatchObject({ strategy: 'restore-latest-snapshot', predictedSeconds: 900 });
    expect(result.checks.map((c) => [c.name, c.status])).toEqual([
      ['snapshot-exists', 'pass'],
      ['restored-instance-absent', 'pass'],
    ]);
    expect(rds).toHaveReceivedCommandWith(DescribeDBSnapshotsCommand, {
      Filters: [{ Name: 'db-instance-id', Values: [PRIMARY_ID] }],
    });
    expect(mutatingCommandsSent([rds, cloudwatch])).toEqual([]);
  });

  it('fails without a snapshot and warns when the restored instance already exists', async () => {
    rds.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: [] });
    rds
      .on(DescribeDBInstancesCommand)
      .resolves({ DBInstances: [{ DBInstanceIdentifier: 'shop-db-restored' }] });

    const result = await readiness(
      stepEvent('readiness', { plan: restorePlan() }),
      databaseClients(),
      testClock(),
    );

    expect(check(result, 'snapshot-exists').status).toBe('fail');
    expect(check(result, 'restored-instance-absent')).toMatchObject({ status: 'warn' });
    expect(check(result, 'restored-instance-absent').detail).toContain('shop-db-restored already exists');
    expect(mutatingCommandsSent([rds, cloudwatch])).toEqual([]);
  });

  it('passes a plan without a database at once, predicting no time and calling nothing', async () => {
    const result = await readiness(
      stepEvent('readiness', { plan: noDatabasePlan() }),
      databaseClients(),
      testClock(),
    );

    expect(result).toMatchObject({ strategy: 'none', predictedSeconds: 0, checks: [{ status: 'pass' }] });
    expect(rds.calls()).toHaveLength(0);
    expect(cloudwatch.calls()).toHaveLength(0);
  });
});
