// aurora-global-database: readiness, failover (FailoverGlobalCluster with AllowDataLoss), switchover
// (SwitchoverGlobalCluster, RPO 0) and the drill (a clone of the secondary with one instance, deleted on
// revert), each through runStep with
// a registry holding only this type. Plan: multi-tier ("market"), resource "inventory" (resources[1]),
// primary us-east-1, recovery us-west-2, RPO objective 60 s.
import 'aws-sdk-client-mock-jest';
import { createHash } from 'node:crypto';
import { CloudWatchClient, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import {
  CreateDBInstanceCommand,
  type DBCluster,
  type DBInstance,
  DeleteDBClusterCommand,
  DeleteDBInstanceCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  DescribeGlobalClustersCommand,
  FailoverGlobalClusterCommand,
  type GlobalCluster,
  RDSClient,
  RestoreDBClusterToPointInTimeCommand,
  SwitchoverGlobalClusterCommand,
} from '@aws-sdk/client-rds';
import { beforeEach, describe, expect, it } from '@jest/globals';
import {
  DbClusterNotFoundError,
  drillClusterId,
  GlobalClusterNotFoundError,
} from '../../../functions/database/aurora-clusters.ts';
import type { DatabaseClients } from '../../../functions/database/clients.ts';
import { auroraGlobalDatabaseSteps } from '../../../functions/database/types/aurora-global-database.ts';
import { StepTimedOutError } from '../../../functions/shared/deadlines.ts';
import {
  AccessDeniedError,
  InvalidResourceStateError,
  InvalidStepInputError,
  TransientAwsError,
} from '../../../functions/shared/errors.ts';
import { runStep } from '../../../functions/shared/family-handler.ts';
import type {
  Action,
  Mode,
  ProgressResult,
  ReadinessResult,
  StepContext,
} from '../../../functions/shared/step-contract.ts';
import { mockClient } from '../../aws-mock.ts';
import {
  accessDenied,
  awsError,
  examplePlan,
  mutatingCommandsSent,
  RUN_ID,
  RUN_STARTED_AT,
  testClock,
  throttling,
} from '../../fixtures.ts';
import { databaseClients } from './database-fixtures.ts';

describe('aurora-global-database', () => {
  const rds = mockClient(RDSClient);
  const cloudwatch = mockClient(CloudWatchClient);

  const plan = examplePlan('multi-tier');
  const RECOVERY = 'us-west-2';
  const GLOBAL_ID = 'market-inventory';
  const SECONDARY_ID = 'market-inventory-west';
  const SECONDARY_ARN = `arn:aws:rds:${RECOVERY}:123456789012:cluster:${SECONDARY_ID}`;
  const PRIMARY_ARN = 'arn:aws:rds:us-east-1:123456789012:cluster:market-inventory-east';
  const OTHER_ARN = 'arn:aws:rds:eu-west-1:123456789012:cluster:market-inventory-eu';
  const DRILL_CLUSTER = `drill-market-${createHash('sha256').update(`${RUN_ID}:inventory`).digest('hex').slice(0, 8)}`;
  const DRILL_INSTANCE = `${DRILL_CLUSTER}-1`;

  // ---- the registry, the clients and the events ------------------------------------------------------

  const steps = { 'aurora-global-database': auroraGlobalDatabaseSteps };
  /** Every region a step asked clients for: only ever the recovery region. */
  let regionsAsked: string[] = [];
  function clientsFor(region: string): DatabaseClients {
    regionsAsked.push(region);
    return databaseClients(region);
  }

  function event(action: Action, mode: Mode, state?: Record<string, unknown>) {
    return {
      action,
      plan,
      run: { id: RUN_ID, mode, startedAt: RUN_STARTED_AT },
      resource: 'inventory',
      ...(state ? { state } : {}),
    };
  }

  const readiness = (mode: Mode = 'dry-run', clock: StepContext = testClock()) =>
    runStep(steps, clientsFor, event('readiness', mode), clock) as Promise<ReadinessResult>;
  const step = (
    action: Exclude<Action, 'readiness'>,
    mode: Mode,
    state?: Record<string, unknown>,
    clock: StepContext = testClock(),
  ) => runStep(steps, clientsFor, event(action, mode, state), clock) as Promise<ProgressResult>;

  // ---- AWS shapes -----------------------------------------------------------------------------------

  function globalCluster(
    options: { writer?: 'primary' | 'secondary'; members?: GlobalCluster['GlobalClusterMembers'] } = {},
    overrides: Partial<GlobalCluster> = {},
  ): GlobalCluster {
    const secondaryWrites = options.writer === 'secondary';
    return {
      GlobalClusterIdentifier: GLOBAL_ID,
      GlobalClusterArn: `arn:aws:rds::123456789012:global-cluster:${GLOBAL_ID}`,
      Status: 'available',
      Engine: 'aurora-postgresql',
      GlobalClusterMembers: options.members ?? [
        { DBClusterArn: PRIMARY_ARN, IsWriter: !secondaryWrites, Readers: [SECONDARY_ARN] },
        { DBClusterArn: SECONDARY_ARN, IsWriter: secondaryWrites, SynchronizationStatus: 'connected' },
      ],
      ...overrides,
    };
  }

  function secondary(overrides: Partial<DBCluster> = {}): DBCluster {
    return {
      DBClusterIdentifier: SECONDARY_ID,
      DBClusterArn: SECONDARY_ARN,
      Status: 'available',
      Engine: 'aurora-postgresql',
      EngineVersion: '15.4',
      Endpoint: `${SECONDARY_ID}.cluster-abc.${RECOVERY}.rds.amazonaws.com`,
      DBSubnetGroup: 'market-db-subnets',
      VpcSecurityGroups: [{ VpcSecurityGroupId: 'sg-0aurora1', Status: 'active' }],
      DBClusterMembers: [{ DBInstanceIdentifier: `${SECONDARY_ID}-1`, IsClusterWriter: false }],
      GlobalClusterIdentifier: GLOBAL_ID,
      ...overrides,
    };
  }

  const RUN_TAGS = [
    { Key: 'app', Value: 'market' },
    { Key: 'dr-runbook:plan', Value: 'market' },
    { Key: 'dr-runbook:run-id', Value: RUN_ID },
    { Key: 'dr-runbook:purpose', Value: 'drill' },
    { Key: 'dr-runbook:resource', Value: 'inventory' },
  ];

  function drillCluster(overrides: Partial<DBCluster> = {}): DBCluster {
    return {
      DBClusterIdentifier: DRILL_CLUSTER,
      DBClusterArn: `arn:aws:rds:${RECOVERY}:123456789012:cluster:${DRILL_CLUSTER}`,
      Status: 'available',
      Engine: 'aurora-postgresql',
      Endpoint: `${DRILL_CLUSTER}.cluster-xyz.${RECOVERY}.rds.amazonaws.com`,
      ClusterCreateTime: new Date(RUN_STARTED_AT),
      DBClusterMembers: [],
      TagList: RUN_TAGS,
      ...overrides,
    };
  }

  function drillInstance(overrides: Partial<DBInstance> = {}): DBInstance {
    return {
      DBInstanceIdentifier: DRILL_INSTANCE,
      DBClusterIdentifier: DRILL_CLUSTER,
      DBInstanceStatus: 'available',
      DBInstanceClass: 'db.r6g.large',
      TagList: RUN_TAGS,
      ...overrides,
    };
  }

  /** A one-minute Maximum datapoint `secondsAgo` before the run started, in milliseconds as AWS publishes it. */
  function lag(secondsAgo: number, milliseconds: number) {
    return {
      Timestamp: new Date(new Date(RUN_STARTED_AT).getTime() - secondsAgo * 1000),
      Maximum: milliseconds,
      Unit: 'Milliseconds' as const,
    };
  }

  const clusterNotFound = () => awsError('DBClusterNotFoundFault', 404, 'DBCluster not found');
  const globalNotFound = () => awsError('GlobalClusterNotFoundFault', 404, 'GlobalCluster not found');
  const instanceNotFound = () => awsError('DBInstanceNotFound', 404, 'DBInstance not found');

  const at = (seconds: number) => new Date(new Date(RUN_STARTED_AT).getTime() + seconds * 1000).toISOString();
  const failoverState = (extra: Record<string, unknown> = {}) => ({
    operation: 'failover',
    clusterId: SECONDARY_ID,
    globalClusterId: GLOBAL_ID,
    startedAt: RUN_STARTED_AT,
    ...extra,
  });
  const cloneState = (extra: Record<string, unknown> = {}) => ({
    operation: 'clone',
    clusterId: DRILL_CLUSTER,
    instanceId: DRILL_INSTANCE,
    startedAt: RUN_STARTED_AT,
    ...extra,
  });

  /** Healthy global database: the secondary replicates 1.5 s behind (newest point), 4 s at worst. */
  function healthy() {
    rds.on(DescribeGlobalClustersCommand).resolves({ GlobalClusters: [globalCluster()] });
    rds
      .on(DescribeDBClustersCommand, { DBClusterIdentifier: SECONDARY_ID })
      .resolves({ DBClusters: [secondary()] });
    cloudwatch.on(GetMetricStatisticsCommand).resolves({ Datapoints: [] });
    cloudwatch
      .on(GetMetricStatisticsCommand, { MetricName: 'AuroraGlobalDBRPOLag' })
      .resolves({ Datapoints: [lag(60, 1500), lag(240, 4000)] });
  }

  /** The commands that could change something (not Describe*), with their inputs. */
  function mutatingInputs(): { command: string; input: Record<string, unknown> }[] {
    return rds
      .calls()
      .map((call) => ({
        command: (call.args[0] as object).constructor.name,
        input: (call.args[0] as unknown as { input: Record<string, unknown> }).input,
      }))
      .filter((c) => !/^Describe/.test(c.command));
  }

  beforeEach(() => {
    rds.reset();
    cloudwatch.reset();
    regionsAsked = [];
  });

  describe('aurora-global-database expectedSeconds', () => {
    it('is the planned failover time for a failover, the drill restore time for a drill', () => {
      const inventory = plan.resources[1];
      if (inventory?.type !== 'aurora-global-database')
        throw new Error('multi-tier resources[1] is not inventory');
      expect(auroraGlobalDatabaseSteps.expectedSeconds(inventory, 'failover')).toBe(120);
      expect(auroraGlobalDatabaseSteps.expectedSeconds(inventory, 'drill')).toBe(900);
    });
  });

  describe('aurora-global-database readiness', () => {
    it('passes a healthy global database: read-only, recovery region only, predicted time = expectedFailoverSeconds', async () => {
      healthy();
      const result = await readiness();

      expect(result).toMatchObject({
        family: 'database',
        resource: 'inventory',
        type: 'aurora-global-database',
        ready: true,
        predictedSeconds: 120,
      });
      expect(result.checks.map((c) => [c.name, c.status])).toEqual([
        ['global-cluster', 'pass'],
        ['secondary-available', 'pass'],
        ['secondary-instances', 'pass'],
        ['secondary-member', 'pass'],
        ['rpo-lag', 'pass'],
      ]);
      expect(result.checks.find((c) => c.name === 'rpo-lag')?.detail).toContain('AuroraGlobalDBRPOLag');
      expect(result.checks.find((c) => c.name === 'rpo-lag')?.detail).toContain('at most 4 s');
      expect(mutatingCommandsSent([rds, cloudwatch])).toEqual([]);
      expect(regionsAsked).toEqual([RECOVERY]);
      expect(rds).toHaveReceivedCommandWith(DescribeGlobalClustersCommand, {
        GlobalClusterIdentifier: GLOBAL_ID,
      });
      expect(cloudwatch).toHaveReceivedCommandWith(GetMetricStatisticsCommand, {
        Namespace: 'AWS/RDS',
        MetricName: 'AuroraGlobalDBRPOLag',
        Dimensions: [{ Name: 'DBClusterIdentifier', Value: SECONDARY_ID }],
        StartTime: new Date(new Date(RUN_STARTED_AT).getTime() - 600_000),
        Statistics: ['Maximum'],
      });
    });

    it('falls back to AuroraGlobalDBReplicationLag, and warns when neither metric has datapoints', async () => {
      healthy();
      cloudwatch
        .on(GetMetricStatisticsCommand, { MetricName: 'AuroraGlobalDBRPOLag' })
        .resolves({ Datapoints: [] });
      cloudwatch
        .on(GetMetricStatisticsCommand, { MetricName: 'AuroraGlobalDBReplicationLag' })
        .resolvesOnce({ Datapoints: [lag(120, 800)] })
        .resolves({ Datapoints: [] });

      const fallback = await readiness();
      expect(fallback.checks.find((c) => c.name === 'rpo-lag')).toMatchObject({
        status: 'pass',
        detail: expect.stringContaining(
          'AuroraGlobalDBReplicationLag of market-inventory-west at most 0.8 s',
        ),
      });

      const none = await readiness();
      expect(none.ready).toBe(true);
      expect(none.checks.find((c) => c.name === 'rpo-lag')).toMatchObject({
        status: 'warn',
        detail: expect.stringContaining('the RPO cannot be predicted'),
      });
    });

    it('fails a lag above the RPO objective', async () => {
      healthy();
      cloudwatch
        .on(GetMetricStatisticsCommand, { MetricName: 'AuroraGlobalDBRPOLag' })
        .resolves({ Datapoints: [lag(60, 2000), lag(300, 95_000)] });
      const result = await readiness();
      expect(result.ready).toBe(false);
      expect(result.checks.find((c) => c.name === 'rpo-lag')).toMatchObject({
        status: 'fail',
        detail: expect.stringContaining('reached 95 s, above the RPO of 60 s (objectives.rpoSeconds)'),
      });
    });

    it('predicts 0 s and skips the lag when the secondary is already the writer', async () => {
      healthy();
      rds
        .on(DescribeGlobalClustersCommand)
        .resolves({ GlobalClusters: [globalCluster({ writer: 'secondary' })] });
      const result = await readiness();
      expect(result.predictedSeconds).toBe(0);
      expect(result.ready).toBe(true);
      expect(result.checks.find((c) => c.name === 'secondary-member')?.detail).toContain(
        'already the writer',
      );
      expect(cloudwatch).not.toHaveReceivedCommand(GetMetricStatisticsCommand);
    });

    it('fails a missing global database, naming its plan field; an emulator ignoring the filter changes nothing', async () => {
      healthy();
      rds.on(DescribeGlobalClustersCommand).rejects(globalNotFound());
      const missing = await readiness();
      expect(missing.ready).toBe(false);
      expect(missing.checks.find((c) => c.name === 'global-cluster')).toMatchObject({
        status: 'fail',
        detail: expect.stringContaining('resources[1].globalClusterId'),
      });
      expect(missing.checks.find((c) => c.name === 'secondary-member')?.detail).toMatch(/^cannot tell: /);

      rds
        .on(DescribeGlobalClustersCommand)
        .resolves({ GlobalClusters: [globalCluster({}, { GlobalClusterIdentifier: 'someone-else' })] });
      const other = await readiness();
      expect(other.checks.find((c) => c.name === 'global-cluster')?.status).toBe('fail');
    });

    it('fails a secondary that is missing, not available, headless or not a member', async () => {
      healthy();
      rds.on(DescribeDBClustersCommand, { DBClusterIdentifier: SECONDARY_ID }).rejects(clusterNotFound());
      const missing = await readiness();
      expect(missing.checks.find((c) => c.name === 'secondary-available')).toMatchObject({
        status: 'fail',
        detail: expect.stringContaining('resources[1].secondaryClusterId'),
      });

      rds
        .on(DescribeDBClustersCommand, { DBClusterIdentifier: SECONDARY_ID })
        .resolves({ DBClusters: [secondary({ Status: 'modifying', DBClusterMembers: [] })] });
      const degraded = await readiness();
      expect(degraded.checks.filter((c) => c.status === 'fail').map((c) => c.name)).toEqual([
        'secondary-available',
        'secondary-instances',
      ]);

      rds
        .on(DescribeDBClustersCommand, { DBClusterIdentifier: SECONDARY_ID })
        .resolves({ DBClusters: [secondary()] });
      rds.on(DescribeGlobalClustersCommand).resolves({
        GlobalClusters: [globalCluster({ members: [{ DBClusterArn: PRIMARY_ARN, IsWriter: true }] })],
      });
      const outsider = await readiness();
      expect(outsider.checks.find((c) => c.name === 'secondary-member')).toMatchObject({
        status: 'fail',
        detail: expect.stringContaining('is not a member of global database market-inventory'),
      });
    });

    it('warns about a failover already in progress', async () => {
      healthy();
      rds.on(DescribeGlobalClustersCommand).resolves({
        GlobalClusters: [
          globalCluster(
            {},
            {
              Status: 'failing-over',
              FailoverState: {
                Status: 'failing-over',
                FromDbClusterArn: PRIMARY_ARN,
                ToDbClusterArn: SECONDARY_ARN,
                IsDataLossAllowed: true,
              },
            },
          ),
        ],
      });
      const result = await readiness();
      expect(result.checks.find((c) => c.name === 'no-failover-in-progress')).toMatchObject({
        status: 'warn',
      });
      expect(result.checks.find((c) => c.name === 'global-cluster')?.status).toBe('warn');
    });

    it('turns access denied into a failed check naming the plan field, and lets throttling through for a retry', async () => {
      healthy();
      rds.on(DescribeGlobalClustersCommand).rejects(accessDenied());
      const denied = await readiness();
      expect(denied.checks.find((c) => c.name === 'global-cluster')).toMatchObject({
        status: 'fail',
        detail: expect.stringMatching(
          /access denied.*resources\[1\]\.globalClusterId.*grant the step's role/,
        ),
      });

      rds.on(DescribeGlobalClustersCommand).resolves({ GlobalClusters: [globalCluster()] });
      rds.on(DescribeDBClustersCommand, { DBClusterIdentifier: SECONDARY_ID }).rejects(throttling());
      await expect(readiness()).rejects.toThrow(TransientAwsError);
    });
  });

  describe('aurora-global-database failover', () => {
    beforeEach(() => {
      healthy();
      rds.on(FailoverGlobalClusterCommand).resolves({ GlobalCluster: globalCluster() });
    });

    it('fails over to the secondary ARN with AllowDataLoss, recording the lag read just before as the RPO', async () => {
      const result = await step('start', 'failover');

      expect(rds).toHaveReceivedCommandTimes(FailoverGlobalClusterCommand, 1);
      expect(rds.commandCalls(FailoverGlobalClusterCommand)[0]?.args[0].input).toEqual({
        GlobalClusterIdentifier: GLOBAL_ID,
        TargetDbClusterIdentifier: SECONDARY_ARN,
        AllowDataLoss: true,
      });
      const lagRead = cloudwatch.commandCalls(GetMetricStatisticsCommand)[0];
      const failover = rds.commandCalls(FailoverGlobalClusterCommand)[0];
      expect(lagRead && failover && lagRead.calledBefore(failover)).toBe(true);
      expect(cloudwatch).toHaveReceivedCommandWith(GetMetricStatisticsCommand, {
        StartTime: new Date(new Date(RUN_STARTED_AT).getTime() - 300_000),
      });
      expect(rds).not.toHaveReceivedCommand(SwitchoverGlobalClusterCommand);
      expect(mutatingCommandsSent([rds, cloudwatch])).toEqual(['FailoverGlobalCluster']);
      expect(result).toMatchObject({
        family: 'database',
        resource: 'inventory',
        type: 'aurora-global-database',
        action: 'start',
        done: false,
        nextCheckSeconds: 2,
        startedAt: RUN_STARTED_AT,
        state: failoverState(),
        changes: [{ resource: GLOBAL_ID, action: 'failover-global-cluster' }],
        measurements: { rpoSeconds: 1.5, rpoMetric: 'AuroraGlobalDBRPOLag', rpoMeasuredAt: at(-60) },
      });
      expect(result.changes[0]?.detail).toContain(SECONDARY_ARN);
    });

    it('never calls the primary region: every client is the recovery region, every call names the secondary', async () => {
      await step('start', 'failover');
      await step('check', 'failover', failoverState());
      expect(regionsAsked).toEqual([RECOVERY, RECOVERY]);
      const sent = JSON.stringify(rds.calls().map((c) => (c.args[0] as { input: unknown }).input));
      expect(sent).not.toContain('us-east-1');
    });

    it('is done without calling FailoverGlobalCluster when the secondary is already the writer', async () => {
      rds
        .on(DescribeGlobalClustersCommand)
        .resolves({ GlobalClusters: [globalCluster({ writer: 'secondary' })] });
      const result = await step('start', 'failover');

      expect(rds).not.toHaveReceivedCommand(FailoverGlobalClusterCommand);
      expect(result).toMatchObject({
        done: true,
        nextCheckSeconds: 0,
        changes: [],
        completedAt: RUN_STARTED_AT,
      });
      expect(result.measurements?.note).toContain('already the writer');
      expect(result.measurements?.endpoint).toBe(secondary().Endpoint);
    });

    it('polls a failover already under way to the secondary instead of requesting another', async () => {
      rds.on(DescribeGlobalClustersCommand).resolves({
        GlobalClusters: [
          globalCluster(
            {},
            {
              FailoverState: {
                Status: 'failing-over',
                FromDbClusterArn: PRIMARY_ARN,
                ToDbClusterArn: SECONDARY_ARN,
                IsDataLossAllowed: true,
              },
            },
          ),
        ],
      });
      const clock = testClock();
      clock.advance(30);
      const result = await step('start', 'failover', failoverState(), clock);

      expect(rds).not.toHaveReceivedCommand(FailoverGlobalClusterCommand);
      expect(result).toMatchObject({ done: false, state: failoverState(), changes: [] });
      expect(result.detail).toContain('still a reader (failover "failing-over")');
    });

    it('refuses while the global database fails over to another cluster', async () => {
      rds.on(DescribeGlobalClustersCommand).resolves({
        GlobalClusters: [
          globalCluster({}, { FailoverState: { Status: 'pending', ToDbClusterArn: OTHER_ARN } }),
        ],
      });
      await expect(step('start', 'failover')).rejects.toThrow(InvalidResourceStateError);
      expect(rds).not.toHaveReceivedCommand(FailoverGlobalClusterCommand);
    });

    it('fails on throttling (TransientAwsError, retried by the state machine), then succeeds', async () => {
      rds.on(FailoverGlobalClusterCommand).rejectsOnce(throttling()).resolves({});
      await expect(step('start', 'failover')).rejects.toThrow(TransientAwsError);
      const retried = await step('start', 'failover');
      expect(retried.changes).toHaveLength(1);
      expect(rds).toHaveReceivedCommandTimes(FailoverGlobalClusterCommand, 2);
    });

    it('treats a refusal for state as in progress when the failover it asked for is under way', async () => {
      rds
        .on(DescribeGlobalClustersCommand)
        .resolvesOnce({ GlobalClusters: [globalCluster()] })
        .resolves({
          GlobalClusters: [
            globalCluster({}, { FailoverState: { Status: 'pending', ToDbClusterArn: SECONDARY_ARN } }),
          ],
        });
      rds
        .on(FailoverGlobalClusterCommand)
        .rejects(awsError('InvalidGlobalClusterStateFault', 400, 'failover in progress'));
      const result = await step('start', 'failover');
      expect(result).toMatchObject({ done: false, changes: [] });
      expect(result.detail).toContain('already under way');

      rds.on(DescribeGlobalClustersCommand).resolves({ GlobalClusters: [globalCluster()] });
      await expect(step('start', 'failover')).rejects.toThrow(InvalidResourceStateError);
    });

    it('raises not-found errors naming the plan field, without requesting anything', async () => {
      rds.on(DescribeGlobalClustersCommand).rejects(globalNotFound());
      const global = step('start', 'failover');
      await expect(global).rejects.toThrow(GlobalClusterNotFoundError);
      await expect(global).rejects.toThrow(/resources\[1\]\.globalClusterId/);

      rds.on(DescribeGlobalClustersCommand).resolves({ GlobalClusters: [] });
      await expect(step('start', 'failover')).rejects.toThrow(GlobalClusterNotFoundError);

      rds.on(DescribeGlobalClustersCommand).resolves({ GlobalClusters: [globalCluster()] });
      rds.on(DescribeDBClustersCommand, { DBClusterIdentifier: SECONDARY_ID }).rejects(clusterNotFound());
      const cluster = step('start', 'failover');
      await expect(cluster).rejects.toThrow(DbClusterNotFoundError);
      await expect(cluster).rejects.toThrow(/resources\[1\]\.secondaryClusterId/);
      expect(rds).not.toHaveReceivedCommand(FailoverGlobalClusterCommand);
    });

    it('refuses a secondary that is not a member of the global database', async () => {
      rds.on(DescribeGlobalClustersCommand).resolves({
        GlobalClusters: [globalCluster({ members: [{ DBClusterArn: PRIMARY_ARN, IsWriter: true }] })],
      });
      await expect(step('start', 'failover')).rejects.toThrow(
        /is not a member of global database market-inventory/,
      );
      expect(rds).not.toHaveReceivedCommand(FailoverGlobalClusterCommand);
    });

    it('raises AccessDeniedError naming the plan field when the role may not fail over', async () => {
      rds.on(FailoverGlobalClusterCommand).rejects(accessDenied());
      const denied = step('start', 'failover');
      await expect(denied).rejects.toThrow(AccessDeniedError);
      await expect(denied).rejects.toThrow(/resources\[1\]\.globalClusterId.*grant the step's role/);
    });

    it('checks until the secondary is the writer and available, keeping the RPO measured at start', async () => {
      const clock = testClock();
      clock.advance(40);
      const reader = await step(
        'check',
        'failover',
        failoverState({ measurements: { rpoSeconds: 1.5 } }),
        clock,
      );
      expect(reader).toMatchObject({ done: false, nextCheckSeconds: 2 });
      expect(reader.detail).toContain('still a reader');

      rds
        .on(DescribeGlobalClustersCommand)
        .resolves({ GlobalClusters: [globalCluster({ writer: 'secondary' })] });
      rds
        .on(DescribeDBClustersCommand, { DBClusterIdentifier: SECONDARY_ID })
        .resolves({ DBClusters: [secondary({ Status: 'modifying' })] });
      const promoting = await step('check', 'failover', failoverState(), clock);
      expect(promoting.done).toBe(false);
      expect(promoting.detail).toContain('the writer, "modifying"');

      rds
        .on(DescribeDBClustersCommand, { DBClusterIdentifier: SECONDARY_ID })
        .resolves({ DBClusters: [secondary()] });
      clock.advance(50);
      const done = await step(
        'check',
        'failover',
        failoverState({ measurements: { rpoSeconds: 1.5 } }),
        clock,
      );
      expect(done).toMatchObject({
        done: true,
        nextCheckSeconds: 0,
        startedAt: RUN_STARTED_AT,
        completedAt: at(90),
        measurements: { rpoSeconds: 1.5, elapsedSeconds: 90, endpoint: secondary().Endpoint },
      });
      expect(rds).not.toHaveReceivedCommand(FailoverGlobalClusterCommand);
    });

    it('fails the check of a failover that is being cancelled, and one past its deadline', async () => {
      rds.on(DescribeGlobalClustersCommand).resolves({
        GlobalClusters: [
          globalCluster({}, { FailoverState: { Status: 'cancelling', ToDbClusterArn: SECONDARY_ARN } }),
        ],
      });
      await expect(step('check', 'failover', failoverState())).rejects.toThrow(/being cancelled/);

      rds.on(DescribeGlobalClustersCommand).resolves({ GlobalClusters: [globalCluster()] });
      const late = testClock();
      late.advance(15 * 60 + 1);
      await expect(step('check', 'failover', failoverState(), late)).rejects.toThrow(StepTimedOutError);
    });

    it('refuses a check without a failover state, or with the state of a drill', async () => {
      await expect(step('check', 'failover')).rejects.toThrow(InvalidStepInputError);
      await expect(step('check', 'failover', cloneState())).rejects.toThrow(InvalidStepInputError);
      await expect(step('revert', 'failover', failoverState())).rejects.toThrow(InvalidStepInputError);
    });
  });

  describe('aurora-global-database switchover', () => {
    const switchoverState = (extra: Record<string, unknown> = {}) =>
      failoverState({ operation: 'switchover', ...extra });
    /** The roles moved: the secondary writes, the old primary is a reader member. */
    const switched = () => globalCluster({ writer: 'secondary' });

    beforeEach(() => {
      healthy();
      rds.on(SwitchoverGlobalClusterCommand).resolves({ GlobalCluster: globalCluster() });
    });

    it('switches over to the secondary ARN (no AllowDataLoss, no lag read) with RPO 0, never failing over', async () => {
      const result = await step('start', 'switchover');

      expect(rds).toHaveReceivedCommandTimes(SwitchoverGlobalClusterCommand, 1);
      expect(rds.commandCalls(SwitchoverGlobalClusterCommand)[0]?.args[0].input).toEqual({
        GlobalClusterIdentifier: GLOBAL_ID,
        TargetDbClusterIdentifier: SECONDARY_ARN,
      });
      expect(rds).not.toHaveReceivedCommand(FailoverGlobalClusterCommand);
      expect(cloudwatch).not.toHaveReceivedCommand(GetMetricStatisticsCommand);
      expect(mutatingCommandsSent([rds, cloudwatch])).toEqual(['SwitchoverGlobalCluster']);
      expect(regionsAsked).toEqual([RECOVERY]);
      expect(result).toMatchObject({
        action: 'start',
        done: false,
        state: switchoverState(),
        changes: [{ resource: GLOBAL_ID, action: 'switchover-global-cluster' }],
        measurements: { rpoSeconds: 0, rpoMeasuredAt: RUN_STARTED_AT },
      });
      expect(result.detail).toContain('switching over');
      expect(result.changes[0]?.detail).toContain(`the writer was ${PRIMARY_ARN}, now a secondary`);
    });

    it('checks until the roles moved and the switchover is over, keeping RPO 0', async () => {
      const clock = testClock();
      const started = await step('start', 'switchover', undefined, clock);
      clock.advance(20);
      const reader = await step('check', 'switchover', started.state, clock);
      expect(reader.done).toBe(false);
      expect(reader.detail).toContain('switchover of global database market-inventory');
      expect(reader.detail).toContain('still a reader');

      // The secondary writes, but Aurora still reports the switchover in progress: not done yet.
      rds.on(DescribeGlobalClustersCommand).resolves({
        GlobalClusters: [
          globalCluster(
            { writer: 'secondary' },
            {
              FailoverState: {
                Status: 'failing-over',
                FromDbClusterArn: PRIMARY_ARN,
                ToDbClusterArn: SECONDARY_ARN,
                IsDataLossAllowed: false,
              },
            },
          ),
        ],
      });
      clock.advance(20);
      const settling = await step('check', 'switchover', reader.state, clock);
      expect(settling.done).toBe(false);
      expect(settling.detail).toContain('waiting for the switchover ("failing-over") to finish');

      rds.on(DescribeGlobalClustersCommand).resolves({ GlobalClusters: [switched()] });
      clock.advance(20);
      const done = await step('check', 'switchover', settling.state, clock);
      expect(done).toMatchObject({
        done: true,
        completedAt: at(60),
        measurements: { rpoSeconds: 0, elapsedSeconds: 60, endpoint: secondary().Endpoint },
      });
      expect(done.detail).toContain('switched over');
      expect(rds).toHaveReceivedCommandTimes(SwitchoverGlobalClusterCommand, 1);
    });

    it('polls a switchover already under way (RPO 0), and one already done asks for nothing', async () => {
      rds.on(DescribeGlobalClustersCommand).resolves({
        GlobalClusters: [
          globalCluster(
            {},
            {
              FailoverState: {
                Status: 'pending',
                ToDbClusterArn: SECONDARY_ARN,
                IsDataLossAllowed: false,
              },
            },
          ),
        ],
      });
      const moving = await step('start', 'switchover', switchoverState());
      expect(moving).toMatchObject({ done: false, changes: [], measurements: { rpoSeconds: 0 } });

      rds.on(DescribeGlobalClustersCommand).resolves({ GlobalClusters: [switched()] });
      const already = await step('start', 'switchover');
      expect(already).toMatchObject({ done: true, changes: [] });
      expect(rds).not.toHaveReceivedCommand(SwitchoverGlobalClusterCommand);
    });

    it('says what a switchover needs when Aurora refuses it for state', async () => {
      rds
        .on(SwitchoverGlobalClusterCommand)
        .rejects(awsError('InvalidGlobalClusterStateFault', 400, 'engine versions differ'));
      await expect(step('start', 'switchover')).rejects.toThrow(
        /cannot switch over to market-inventory-west now \(engine versions differ.*every member on the same engine version\), then run the switchover again/,
      );
    });

    it('refuses a check with the state of a failover, and a revert', async () => {
      await expect(step('check', 'switchover', failoverState())).rejects.toThrow(InvalidStepInputError);
      await expect(step('revert', 'switchover', switchoverState())).rejects.toThrow(InvalidStepInputError);
    });
  });

  describe('aurora-global-database drill', () => {
    beforeEach(() => {
      healthy();
      rds.on(DescribeDBClustersCommand, { DBClusterIdentifier: DRILL_CLUSTER }).rejects(clusterNotFound());
      rds
        .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: DRILL_INSTANCE })
        .rejects(instanceNotFound());
      rds
        .on(RestoreDBClusterToPointInTimeCommand)
        .resolves({ DBCluster: drillCluster({ Status: 'creating' }) });
      rds
        .on(CreateDBInstanceCommand)
        .resolves({ DBInstance: drillInstance({ DBInstanceStatus: 'creating' }) });
      rds
        .on(DeleteDBInstanceCommand)
        .resolves({ DBInstance: drillInstance({ DBInstanceStatus: 'deleting' }) });
      rds.on(DeleteDBClusterCommand).resolves({ DBCluster: drillCluster({ Status: 'deleting' }) });
    });

    it('names the temporary cluster from the plan, the run and the resource', () => {
      expect(drillClusterId('market', RUN_ID, 'inventory')).toBe(DRILL_CLUSTER);
      expect(DRILL_CLUSTER).toMatch(/^drill-market-[0-9a-f]{8}$/);
      expect(drillClusterId('market', RUN_ID, 'orders-db')).not.toBe(DRILL_CLUSTER);
      expect(`${drillClusterId('a'.repeat(40), RUN_ID, 'inventory')}-1`.length).toBeLessThanOrEqual(63);
    });

    it('clones the secondary (copy-on-write, latest restorable time) where it serves from, tagged, with the lag as RPO', async () => {
      const result = await step('start', 'drill');

      expect(rds.commandCalls(RestoreDBClusterToPointInTimeCommand)[0]?.args[0].input).toEqual({
        DBClusterIdentifier: DRILL_CLUSTER,
        SourceDBClusterIdentifier: SECONDARY_ID,
        RestoreType: 'copy-on-write',
        UseLatestRestorableTime: true,
        DBSubnetGroupName: 'market-db-subnets',
        VpcSecurityGroupIds: ['sg-0aurora1'],
        DeletionProtection: false,
        Tags: RUN_TAGS,
      });
      expect(mutatingCommandsSent([rds, cloudwatch])).toEqual(['RestoreDBClusterToPointInTime']);
      expect(rds).not.toHaveReceivedCommand(FailoverGlobalClusterCommand);
      expect(regionsAsked).toEqual([RECOVERY]);
      expect(result).toMatchObject({
        action: 'start',
        done: false,
        state: cloneState(),
        changes: [{ resource: DRILL_CLUSTER, action: 'restore-db-cluster-to-point-in-time' }],
        measurements: { rpoSeconds: 1.5, rpoMetric: 'AuroraGlobalDBRPOLag' },
      });
      expect(result.detail).toContain('RPO 1.5 s (AuroraGlobalDBRPOLag of market-inventory-west');
    });

    it('adopts its own clone on a re-run instead of cloning again, and refuses one it did not create', async () => {
      rds
        .on(DescribeDBClustersCommand, { DBClusterIdentifier: DRILL_CLUSTER })
        .resolves({ DBClusters: [drillCluster({ Status: 'creating' })] });
      const clock = testClock();
      clock.advance(20);
      const rerun = await step('start', 'drill', cloneState({ measurements: { rpoSeconds: 1.5 } }), clock);
      expect(rds).not.toHaveReceivedCommand(RestoreDBClusterToPointInTimeCommand);
      expect(cloudwatch).not.toHaveReceivedCommand(GetMetricStatisticsCommand);
      expect(rerun).toMatchObject({ done: false, state: cloneState(), measurements: { rpoSeconds: 1.5 } });
      expect(rerun.detail).toContain('already exists (created by this run)');

      rds.on(DescribeDBClustersCommand, { DBClusterIdentifier: DRILL_CLUSTER }).resolves({
        DBClusters: [drillCluster({ TagList: [{ Key: 'dr-runbook:run-id', Value: 'run-other' }] })],
      });
      await expect(step('start', 'drill')).rejects.toThrow(
        /not created by run run-20261125-abc123 for inventory/,
      );
      expect(rds).not.toHaveReceivedCommand(RestoreDBClusterToPointInTimeCommand);
    });

    it('fails on throttling, then clones on the retry', async () => {
      rds
        .on(RestoreDBClusterToPointInTimeCommand)
        .rejectsOnce(throttling())
        .resolves({ DBCluster: drillCluster() });
      await expect(step('start', 'drill')).rejects.toThrow(TransientAwsError);
      await expect(step('start', 'drill')).resolves.toMatchObject({ done: false, state: cloneState() });
      expect(rds).toHaveReceivedCommandTimes(RestoreDBClusterToPointInTimeCommand, 2);
    });

    it('raises permanent errors for a missing or headless secondary and for access denied', async () => {
      rds.on(DescribeDBClustersCommand, { DBClusterIdentifier: SECONDARY_ID }).rejects(clusterNotFound());
      const missing = step('start', 'drill');
      await expect(missing).rejects.toThrow(DbClusterNotFoundError);
      await expect(missing).rejects.toThrow(/resources\[1\]\.secondaryClusterId/);

      rds
        .on(DescribeDBClustersCommand, { DBClusterIdentifier: SECONDARY_ID })
        .resolves({ DBClusters: [secondary({ DBClusterMembers: [] })] });
      await expect(step('start', 'drill')).rejects.toThrow(/has no DB instance/);
      expect(rds).not.toHaveReceivedCommand(RestoreDBClusterToPointInTimeCommand);

      rds
        .on(DescribeDBClustersCommand, { DBClusterIdentifier: SECONDARY_ID })
        .resolves({ DBClusters: [secondary()] });
      rds.on(RestoreDBClusterToPointInTimeCommand).rejects(accessDenied());
      const denied = step('start', 'drill');
      await expect(denied).rejects.toThrow(AccessDeniedError);
      await expect(denied).rejects.toThrow(/resources\[1\]\.secondaryClusterId/);
    });

    it('checks the cluster, creates its instance once it is available, and is done when both are', async () => {
      const clock = testClock();
      rds
        .on(DescribeDBClustersCommand, { DBClusterIdentifier: DRILL_CLUSTER })
        .resolvesOnce({ DBClusters: [drillCluster({ Status: 'creating' })] })
        .resolves({ DBClusters: [drillCluster()] });
      clock.advance(60);
      const creating = await step('check', 'drill', cloneState(), clock);
      expect(creating).toMatchObject({ done: false, nextCheckSeconds: 2 });
      expect(rds).not.toHaveReceivedCommand(CreateDBInstanceCommand);

      clock.advance(240);
      const adding = await step('check', 'drill', cloneState(), clock);
      expect(rds.commandCalls(CreateDBInstanceCommand)[0]?.args[0].input).toEqual({
        DBInstanceIdentifier: DRILL_INSTANCE,
        DBClusterIdentifier: DRILL_CLUSTER,
        DBInstanceClass: 'db.r6g.large',
        Engine: 'aurora-postgresql',
        PubliclyAccessible: false,
        Tags: RUN_TAGS,
      });
      expect(adding).toMatchObject({
        done: false,
        nextCheckSeconds: 9,
        changes: [{ resource: DRILL_INSTANCE, action: 'create-db-instance' }],
      });

      rds
        .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: DRILL_INSTANCE })
        .resolves({ DBInstances: [drillInstance({ DBInstanceStatus: 'creating' })] });
      clock.advance(300);
      const booting = await step('check', 'drill', cloneState(), clock);
      expect(booting.done).toBe(false);
      expect(booting.detail).toContain('"creating", waiting for "available"');
      expect(rds).toHaveReceivedCommandTimes(CreateDBInstanceCommand, 1);

      rds
        .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: DRILL_INSTANCE })
        .resolves({ DBInstances: [drillInstance()] });

      const done = await step('check', 'drill', cloneState({ measurements: { rpoSeconds: 1.5 } }), clock);
      expect(done).toMatchObject({
        done: true,
        measurements: { rpoSeconds: 1.5, restoreSeconds: 600, endpoint: drillCluster().Endpoint },
      });
      expect(mutatingCommandsSent([rds, cloudwatch])).toEqual(['CreateDBInstance']);
    });

    it('fails the check of a clone that is gone or failed', async () => {
      await expect(step('check', 'drill', cloneState())).rejects.toThrow(DbClusterNotFoundError);
      rds
        .on(DescribeDBClustersCommand, { DBClusterIdentifier: DRILL_CLUSTER })
        .resolves({ DBClusters: [drillCluster({ Status: 'cloning-failed' })] });
      await expect(step('check', 'drill', cloneState())).rejects.toThrow(InvalidResourceStateError);
    });

    it('reverts without state: deletes the instance, then the cluster, and calls them gone only on a second look', async () => {
      rds
        .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: DRILL_INSTANCE })
        .resolvesOnce({ DBInstances: [drillInstance()] })
        .rejects(instanceNotFound());
      rds
        .on(DescribeDBClustersCommand, { DBClusterIdentifier: DRILL_CLUSTER })
        .resolvesOnce({ DBClusters: [drillCluster()] })
        .resolvesOnce({ DBClusters: [drillCluster({ Status: 'deleting' })] })
        .rejects(clusterNotFound());
      const clock = testClock();

      const first = await step('revert', 'drill', undefined, clock);
      expect(rds.commandCalls(DeleteDBInstanceCommand)[0]?.args[0].input).toEqual({
        DBInstanceIdentifier: DRILL_INSTANCE,
        SkipFinalSnapshot: true,
      });
      expect(rds.commandCalls(DeleteDBClusterCommand)[0]?.args[0].input).toEqual({
        DBClusterIdentifier: DRILL_CLUSTER,
        SkipFinalSnapshot: true,
      });
      const [deleteInstance] = rds.commandCalls(DeleteDBInstanceCommand);
      const [deleteCluster] = rds.commandCalls(DeleteDBClusterCommand);
      expect(deleteInstance && deleteCluster && deleteInstance.calledBefore(deleteCluster)).toBe(true);
      expect(first).toMatchObject({
        action: 'revert',
        done: false,
        state: {
          operation: 'delete',
          clusterId: DRILL_CLUSTER,
          instanceId: DRILL_INSTANCE,
          startedAt: RUN_STARTED_AT,
        },
        changes: [
          { resource: DRILL_INSTANCE, action: 'delete-db-instance' },
          { resource: DRILL_CLUSTER, action: 'delete-db-cluster' },
        ],
      });

      clock.advance(30);
      const deleting = await step('revert', 'drill', first.state, clock);
      expect(deleting).toMatchObject({ done: false });
      expect(deleting.state.goneSeenAt).toBeUndefined();
      expect(rds).toHaveReceivedCommandTimes(DeleteDBClusterCommand, 1);

      clock.advance(30);
      const seen = await step('revert', 'drill', deleting.state, clock);
      expect(seen).toMatchObject({ done: false, state: { goneSeenAt: at(60) } });
      expect(seen.detail).toContain('looking again');

      clock.advance(10);
      const gone = await step('revert', 'drill', seen.state, clock);
      expect(gone).toMatchObject({ done: true, nextCheckSeconds: 0, state: { goneSeenAt: at(60) } });
      expect(gone.detail).toContain('confirmed gone');

      // Never the global cluster, the secondary or the primary: only the drill's own resources changed.
      for (const { input } of mutatingInputs()) {
        expect([DRILL_INSTANCE, DRILL_CLUSTER]).toContain(
          input.DBInstanceIdentifier ?? input.DBClusterIdentifier,
        );
      }
      expect(JSON.stringify(rds.calls().map((c) => (c.args[0] as { input: unknown }).input))).not.toMatch(
        /market-inventory(-west)?"/,
      );
    });

    it('keeps the cluster until the instance leaves, retries a cluster RDS refuses, and deletes what reappears', async () => {
      rds
        .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: DRILL_INSTANCE })
        .resolves({ DBInstances: [drillInstance({ DBInstanceStatus: 'creating' })] });
      rds
        .on(DescribeDBClustersCommand, { DBClusterIdentifier: DRILL_CLUSTER })
        .resolves({ DBClusters: [drillCluster()] });
      rds.on(DeleteDBInstanceCommand).rejects(awsError('InvalidDBInstanceStateFault', 400, 'creating'));
      const busy = await step('revert', 'drill');
      expect(busy.done).toBe(false);
      expect(busy.detail).toContain('waits for its instance');
      expect(rds).not.toHaveReceivedCommand(DeleteDBClusterCommand);

      rds
        .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: DRILL_INSTANCE })
        .resolves({ DBInstances: [drillInstance({ DBInstanceStatus: 'deleting' })] });
      rds
        .on(DeleteDBClusterCommand)
        .rejects(awsError('InvalidDBClusterStateFault', 400, 'contains instances'));
      const refused = await step('revert', 'drill', busy.state);
      expect(refused).toMatchObject({ done: false, changes: [] });

      rds
        .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: DRILL_INSTANCE })
        .rejects(instanceNotFound());
      rds.on(DeleteDBClusterCommand).resolves({});
      const reappeared = await step('revert', 'drill', { ...busy.state, goneSeenAt: RUN_STARTED_AT });
      expect(reappeared).toMatchObject({ done: false, changes: [{ action: 'delete-db-cluster' }] });
      expect(reappeared.detail).toContain('reappeared');
      expect(reappeared.state.goneSeenAt).toBeUndefined();
    });

    it('refuses to delete what this run did not create, and fails on throttling for a retry', async () => {
      rds.on(DescribeDBClustersCommand, { DBClusterIdentifier: DRILL_CLUSTER }).resolves({
        DBClusters: [drillCluster({ TagList: [{ Key: 'dr-runbook:purpose', Value: 'failover' }] })],
      });
      await expect(step('revert', 'drill')).rejects.toThrow(/refusing to delete DB cluster/);
      expect(rds).not.toHaveReceivedCommand(DeleteDBClusterCommand);
      expect(rds).not.toHaveReceivedCommand(DeleteDBInstanceCommand);

      rds
        .on(DescribeDBClustersCommand, { DBClusterIdentifier: DRILL_CLUSTER })
        .resolves({ DBClusters: [drillCluster()] });
      rds.on(DeleteDBClusterCommand).rejects(throttling());
      await expect(step('revert', 'drill')).rejects.toThrow(TransientAwsError);

      rds.on(DeleteDBClusterCommand).rejects(accessDenied());
      await expect(step('revert', 'drill')).rejects.toThrow(AccessDeniedError);
    });

    it('refuses a revert with the state of another resource or of a failover', async () => {
      await expect(
        step('revert', 'drill', cloneState({ clusterId: 'drill-market-00000000' })),
      ).rejects.toThrow(InvalidStepInputError);
      await expect(step('revert', 'drill', failoverState())).rejects.toThrow(InvalidStepInputError);
      await expect(step('check', 'drill', failoverState())).rejects.toThrow(InvalidStepInputError);
    });
  });
});
