// moto's gaps for global databases, adapted to what AWS answers so the step logic runs unchanged
// (each use is noted in the run): a DynamoDB table in moto lives in one region only, and moto's RDS
// has global clusters but neither FailoverGlobalCluster nor SwitchoverGlobalCluster.

import type { CustomizableClient } from '../functions/shared/clients.ts';
import { activeRun, addInitialize, type Output } from './emulator-adapters.ts';

/** DescribeTable of a plan's global table lists its replicas, ACTIVE, as AWS does for version 2019.11.21. */
export function dynamodbGlobalTables(client: CustomizableClient): void {
  addInitialize(client, 'drRunbookMotoGlobalTables', (next, context) => async (args) => {
    const result = await next(args);
    const { scenario, log } = activeRun();
    if (!scenario.moto || context.commandName !== 'DescribeTableCommand') return result;
    const table = result.output.Table as Output | undefined;
    const regions = scenario.globalTables?.[String(table?.TableName)];
    if (!table || !regions) return result;
    table.Replicas = regions.map((RegionName) => ({ RegionName, ReplicaStatus: 'ACTIVE' }));
    table.GlobalTableVersion = '2019.11.21';
    log.notes.add(
      `moto keeps a DynamoDB table in one region: DescribeTable of ${String(table.TableName)} lists its replicas (${regions.join(', ')}) as ACTIVE, as AWS does for a global table`,
    );
    return result;
  });
}

/** Global clusters failed or switched over through the adapter: global cluster id → the new writer's ARN. */
const failedOver = new Map<string, string>();

/** Forgets them when the next run starts (activateRun): moto may have been reset and seeded again. */
export function forgetGlobalFailovers(): void {
  failedOver.clear();
}

/**
 * FailoverGlobalCluster and SwitchoverGlobalCluster make the target the writer member, as AWS does
 * once they complete (a switchover leaves the old primary a reader member, as here).
 */
export function auroraGlobalFailover(client: CustomizableClient): void {
  addInitialize(client, 'drRunbookMotoGlobalFailover', (next, context) => async (args) => {
    const { scenario, log } = activeRun();
    if (!scenario.moto) return next(args);
    const call =
      context.commandName === 'FailoverGlobalClusterCommand'
        ? { name: 'FailoverGlobalCluster', past: 'failed over' }
        : context.commandName === 'SwitchoverGlobalClusterCommand'
          ? { name: 'SwitchoverGlobalCluster', past: 'switched over' }
          : undefined;
    if (call) {
      const id = String(args.input.GlobalClusterIdentifier).toLowerCase();
      const target = String(args.input.TargetDbClusterIdentifier);
      failedOver.set(id, target);
      log.notes.add(
        `moto does not implement ${call.name}: ${id} was ${call.past} to ${target} by the emulator adapter (the writer member changes at once)`,
      );
      return {
        output: { $metadata: {}, GlobalCluster: { GlobalClusterIdentifier: id, Status: 'available' } },
      };
    }
    const result = await next(args);
    if (context.commandName !== 'DescribeGlobalClustersCommand') return result;
    for (const cluster of (result.output.GlobalClusters as Output[] | undefined) ?? []) {
      // moto makes a drill's clone of the secondary a member of the global database (AWS does not).
      const members = (cluster.GlobalClusterMembers as Output[] | undefined) ?? [];
      const real = members.filter((m) => !/:cluster:drill-/.test(String(m.DBClusterArn)));
      if (real.length < members.length) {
        cluster.GlobalClusterMembers = real;
        log.notes.add(
          "moto lists a drill's clone of the secondary as a member of the global database: left out, as in AWS",
        );
      }
      const writer = failedOver.get(String(cluster.GlobalClusterIdentifier).toLowerCase());
      if (!writer) continue;
      for (const member of real) {
        const arn = String(member.DBClusterArn);
        member.IsWriter = arn === writer || arn.endsWith(`:cluster:${writer}`);
      }
    }
    return result;
  });
}
