// SDK clients of the compute family, one set per region: the plan's recovery region, and the
// primary region's for fencing only (one short attempt: functions/shared/clients.ts FENCE_TIMEOUTS).
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { clientsPerRegion } from '../shared/clients.ts';

export interface ComputeClients {
  autoScaling: AutoScalingClient;
  ec2: EC2Client;
}

export const computeClientsFor = clientsPerRegion<ComputeClients>((config) => ({
  autoScaling: new AutoScalingClient(config),
  ec2: new EC2Client(config),
}));
