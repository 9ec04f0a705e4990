// The baseline's calls, sent with the SDK to the same timed fake the runbook runs against (the fake
// is installed on the client classes): the warm-standby plan's replica, group and records.
import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { DescribeDBInstancesCommand, PromoteReadReplicaCommand, RDSClient } from '@aws-sdk/client-rds';
import { ChangeResourceRecordSetsCommand, GetChangeCommand, Route53Client } from '@aws-sdk/client-route-53';
import type { DrPlan } from '../plan/schema.ts';
import { resourcesOf } from '../plan/steps.ts';
import type { ControlPlane } from './baseline.ts';
import type { VirtualClock } from './virtual-clock.ts';

/** A control plane for `plan` whose every call first takes `latencySeconds` of virtual time. */
export function sdkControlPlane(plan: DrPlan, clock: VirtualClock, latencySeconds: number): ControlPlane {
  const [database] = resourcesOf(plan, 'database');
  const [compute] = resourcesOf(plan, 'compute');
  const [traffic] = resourcesOf(plan, 'traffic');
  if (database?.type !== 'rds-read-replica' || compute?.type !== 'auto-scaling-group')
    throw new Error('the baseline models a warm standby: an rds-read-replica and an auto-scaling-group');
  if (traffic?.type !== 'route53-records') throw new Error('the baseline models route53-records traffic');
  const region = { region: plan.regions.recovery };
  const rds = new RDSClient(region);
  const autoScaling = new AutoScalingClient(region);
  const route53 = new Route53Client(region);
  let changeId = '';
  const call = async <T>(send: () => Promise<T>): Promise<T> => {
    await clock.sleep(latencySeconds);
    return send();
  };

  return {
    promoteDatabase: async () => {
      await call(() =>
        rds.send(new PromoteReadReplicaCommand({ DBInstanceIdentifier: database.replicaInstanceId })),
      );
    },
    databaseAvailable: async () => {
      const out = await call(() =>
        rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: database.replicaInstanceId })),
      );
      return out.DBInstances?.[0]?.DBInstanceStatus === 'available';
    },
    scaleCompute: async () => {
      const { min, desired, max } = compute.capacity;
      await call(() =>
        autoScaling.send(
          new UpdateAutoScalingGroupCommand({
            AutoScalingGroupName: compute.autoScalingGroupName,
            MinSize: min,
            DesiredCapacity: desired,
            MaxSize: max,
          }),
        ),
      );
    },
    computeInService: async () => {
      const out = await call(() =>
        autoScaling.send(
          new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [compute.autoScalingGroupName] }),
        ),
      );
      const instances = out.AutoScalingGroups?.[0]?.Instances ?? [];
      const inService = instances.filter((i) => i.LifecycleState === 'InService').length;
      return inService >= compute.capacity.desired;
    },
    switchDns: async () => {
      const out = await call(() =>
        route53.send(
          new ChangeResourceRecordSetsCommand({
            HostedZoneId: traffic.hostedZoneId,
            ChangeBatch: {
              Changes: traffic.records.map((record) => ({
                Action: 'UPSERT',
                ResourceRecordSet: {
                  Name: record.name,
                  Type: record.type,
                  TTL: record.ttlSeconds,
                  ResourceRecords: [{ Value: record.recoveryTarget.value ?? '' }],
                },
              })),
            },
          }),
        ),
      );
      changeId = out.ChangeInfo?.Id ?? '';
    },
    dnsInSync: async () => {
      const out = await call(() => route53.send(new GetChangeCommand({ Id: changeId })));
      return out.ChangeInfo?.Status === 'INSYNC';
    },
    verify: async () => {
      await clock.sleep(latencySeconds);
    },
  };
}
