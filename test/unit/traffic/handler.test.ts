import {
  ChangeResourceRecordSetsCommand,
  GetHostedZoneCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { runStep } from '../../../functions/shared/family-handler.ts';
import type { ProgressResult, ReadinessResult } from '../../../functions/shared/step-contract.ts';
import { trafficClientsFor } from '../../../functions/traffic/clients.ts';
import { handler } from '../../../functions/traffic/handler.ts';
import { trafficSteps } from '../../../functions/traffic/steps.ts';
import { lambdaContext, stepEvent, testClock } from '../../fixtures.ts';
import { changeInfo, DRILL, listing, weightedPlan, ZONE_ID } from './traffic-fixtures.ts';

const route53 = mockClient(Route53Client);

beforeAll(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
});

beforeEach(() => {
  route53.reset();
  route53.on(GetHostedZoneCommand).resolves({
    HostedZone: { Id: ZONE_ID, Name: 'shop.example.com.', CallerReference: 'x' },
    DelegationSet: { NameServers: [] },
  });
  route53.on(ListResourceRecordSetsCommand).resolves(listing());
  route53.on(ChangeResourceRecordSetsCommand).resolves(changeInfo('PENDING'));
});

describe('traffic handler', () => {
  it('runs readiness for a JSON event as Step Functions sends it', async () => {
    const raw = JSON.parse(JSON.stringify(stepEvent('readiness', { mode: 'dry-run' })));

    const result = (await handler(raw, lambdaContext)) as ReadinessResult;

    expect(result).toMatchObject({ family: 'traffic', strategy: 'upsert-records' });
    expect(result.checks.map((c) => c.name)).toContain('hosted-zone');
  });

  it('dispatches a weighted drill start through runStep to the drill record only', async () => {
    route53.on(ListResourceRecordSetsCommand, { StartRecordName: 'www.shop.example.com' }).resolves(
      listing(
        {
          Name: 'www.shop.example.com.',
          Type: 'CNAME',
          SetIdentifier: 'us-east-1',
          Weight: 100,
          TTL: 60,
          ResourceRecords: [{ Value: 'a' }],
        },
        {
          Name: 'www.shop.example.com.',
          Type: 'CNAME',
          SetIdentifier: 'us-west-2',
          Weight: 0,
          TTL: 60,
          ResourceRecords: [{ Value: 'b' }],
        },
      ),
    );
    const raw = JSON.parse(JSON.stringify(stepEvent('start', { mode: 'drill', plan: weightedPlan() })));

    const result = (await runStep(trafficSteps, trafficClientsFor, raw, testClock())) as ProgressResult;

    expect(result).toMatchObject({ family: 'traffic', action: 'start', state: { drillRecordName: DRILL } });
    expect(route53).toHaveReceivedCommandWith(ChangeResourceRecordSetsCommand, {
      ChangeBatch: expect.objectContaining({
        Changes: [
          {
            Action: 'UPSERT',
            ResourceRecordSet: { Name: DRILL, Type: 'CNAME', TTL: 60, ResourceRecords: [{ Value: 'b' }] },
          },
        ],
      }),
    });
  });

  it('fails with the step error name Step Functions matches on', async () => {
    const raw = JSON.parse(JSON.stringify(stepEvent('revert', { mode: 'failover' })));

    await expect(handler(raw, lambdaContext)).rejects.toMatchObject({ name: 'InvalidStepInputError' });
  });

  it('creates one Route 53 client per region and reuses it', () => {
    expect(trafficClientsFor('us-west-2').route53).toBe(trafficClientsFor('us-west-2').route53);
  });
});
