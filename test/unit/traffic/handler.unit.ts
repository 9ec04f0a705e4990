import 'aws-sdk-client-mock-jest';
import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  GetHostedZoneCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { beforeEach, describe, expect, it, jest } from '@jest/globals';
import { StepTimedOutError } from '../../../functions/shared/deadlines.ts';
import { runStep } from '../../../functions/shared/family-handler.ts';
import type { ProgressResult, ReadinessResult } from '../../../functions/shared/step-contract.ts';
import { trafficClientsFor } from '../../../functions/traffic/clients.ts';
import { handler } from '../../../functions/traffic/handler.ts';
import { trafficSteps } from '../../../functions/traffic/steps.ts';
import { FAMILY_OF_TYPE } from '../../../plan/resources/families.ts';
import { mockClient } from '../../aws-mock.ts';
import { lambdaContext, RUN_STARTED_AT, testClock } from '../../fixtures.ts';
import {
  activeActive,
  CATALOG_API,
  CATALOG_DRILL,
  changeInfo,
  comment,
  multiTier,
  PRIMARY_SET,
  progress,
  RECOVERY_SET,
  serveZone,
  trafficClients,
  trafficEvent,
  warmStandby,
  weightedCname,
  ZONE_ID,
} from './traffic-fixtures.ts';

describe('handler', () => {
  const route53 = mockClient(Route53Client);

  beforeEach(() => {
    route53.reset();
    route53.on(GetHostedZoneCommand).resolves({
      HostedZone: { Id: ZONE_ID, Name: 'shop.example.com.', CallerReference: 'x' },
      DelegationSet: { NameServers: [] },
    });
    route53
      .on(ListResourceRecordSetsCommand)
      .resolves({ ResourceRecordSets: [], IsTruncated: false, MaxItems: 300 });
    route53.on(ChangeResourceRecordSetsCommand).resolves(changeInfo('PENDING'));
  });

  describe('traffic handler', () => {
    it('runs every traffic type of the plan schema', () => {
      const schemaTypes = Object.entries(FAMILY_OF_TYPE)
        .filter(([, family]) => family === 'traffic')
        .map(([type]) => type);
      expect(schemaTypes).toContain('route53-health-check-failover');
      expect(Object.keys(trafficSteps).sort()).toEqual(schemaTypes.sort());
    });

    it("expects each resource's expectedSyncSeconds", () => {
      const records = warmStandby().resources[2];
      const weighted = activeActive().resources[2];
      expect(trafficSteps['route53-records']?.expectedSeconds(records, 'failover')).toBe(60);
      expect(trafficSteps['route53-weighted']?.expectedSeconds(weighted, 'drill')).toBe(45);
    });

    it('runs readiness for a JSON event as Step Functions sends it, stamping resource and type', async () => {
      const result = (await handler(
        trafficEvent('readiness', { mode: 'dry-run' }),
        lambdaContext,
      )) as ReadinessResult;

      expect(result).toMatchObject({ family: 'traffic', resource: 'dns', type: 'route53-records' });
      expect(result.checks.map((c) => c.name)).toContain('hosted-zone');
    });

    it('runs with clients for the recovery region only', async () => {
      const clientsFor = jest.fn((_region: string) => trafficClients());

      await runStep(
        trafficSteps,
        clientsFor,
        trafficEvent('readiness', { mode: 'dry-run', plan: multiTier() }),
      );

      expect(clientsFor).toHaveBeenCalledWith('us-west-2');
      expect(clientsFor).not.toHaveBeenCalledWith('us-east-1');
    });

    it('dispatches a weighted drill start through runStep to the drill record only', async () => {
      serveZone(
        route53,
        [weightedCname(CATALOG_API, PRIMARY_SET, 100, 'a'), weightedCname(CATALOG_API, RECOVERY_SET, 0, 'b')],
        { zoneName: 'catalog.example.com' },
      );

      const result = (await runStep(
        trafficSteps,
        trafficClientsFor,
        trafficEvent('start', { mode: 'drill', plan: activeActive() }),
        testClock(),
      )) as ProgressResult;

      expect(result).toMatchObject({
        family: 'traffic',
        resource: 'dns',
        type: 'route53-weighted',
        action: 'start',
        state: { drillRecordName: CATALOG_DRILL },
      });
      expect(route53).toHaveReceivedCommandWith(ChangeResourceRecordSetsCommand, {
        ChangeBatch: {
          Comment: comment('drill'),
          Changes: [
            {
              Action: 'UPSERT',
              ResourceRecordSet: {
                Name: CATALOG_DRILL,
                Type: 'CNAME',
                TTL: 60,
                ResourceRecords: [{ Value: 'b' }],
              },
            },
          ],
        },
      });
    });

    it('fails with the step error name Step Functions matches on', async () => {
      await expect(
        handler(trafficEvent('revert', { mode: 'failover' }), lambdaContext),
      ).rejects.toMatchObject({
        name: 'InvalidStepInputError',
      });
      await expect(handler(trafficEvent('start', { resource: 'web' }), lambdaContext)).rejects.toThrow(
        /resource "web" is of type "auto-scaling-group", which this family does not run/,
      );
    });

    it('fails a check still PENDING after the timeout, naming resources[i].timeoutMinutes', async () => {
      route53.on(GetChangeCommand).resolves(changeInfo('PENDING'));
      const clock = testClock();
      clock.advance(16 * 60); // 4 × 60 s is less than the 15-minute floor

      const attempt = progress('check', { state: { changeId: 'C1', startedAt: RUN_STARTED_AT } }, clock);

      await expect(attempt).rejects.toThrow(StepTimedOutError);
      await expect(attempt).rejects.toThrow(/raise resources\[2\]\.timeoutMinutes/);
    });

    it('creates one Route 53 client per region and reuses it', () => {
      expect(trafficClientsFor('us-west-2').route53).toBe(trafficClientsFor('us-west-2').route53);
    });
  });
});
