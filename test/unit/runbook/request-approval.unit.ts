import 'aws-sdk-client-mock-jest';
import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { describe, expect, it } from '@jest/globals';
import { runRunbookAction } from '../../../functions/runbook/handler.ts';
import {
  type ApprovalGate,
  approvalRequest,
  requestApproval,
} from '../../../functions/runbook/request-approval.ts';
import { parseRunbookEvent } from '../../../functions/runbook/runbook-event.ts';
import { mockClient } from '../../aws-mock.ts';
import { examplePlan } from '../../fixtures.ts';

describe('request-approval', () => {
  const plan = examplePlan('pilot-light'); // steps[0]: approval "always", 15 minutes, abort on timeout
  /** The gate of plan.steps[0] as the state machine hands it over (the step's state name). */
  const gate: ApprovalGate = { step: 'Step1.approve', timeoutMinutes: 15, onTimeout: 'abort' };
  const run = {
    id: 'run-7',
    mode: 'failover' as const,
    startedAt: '2026-11-25T12:00:00.000Z',
    incidentStartedAt: '2026-11-25T11:58:00.000Z',
    trigger: {
      type: 'alarm' as const,
      alarmName: 'billing-primary-down',
      stateChangeTime: '2026-11-25T11:58:00.000Z',
    },
    reason: 'eu-west-1 unreachable',
    approvalRequired: true,
    lockExpiresAt: '2026-11-26T00:00:00.000Z',
    executionArn: 'arn:aws:states:eu-central-1:123456789012:execution:dr-runbook-test:run-7',
  };

  describe('approvalRequest', () => {
    it('says what will happen, what a timeout means, and the exact commands to answer', () => {
      const { subject, message } = approvalRequest(plan, run, gate, 'TOKEN123');
      expect(subject).toBe('dr-runbook billing: approve failover?');
      expect(message).toContain(
        'dr-runbook wants to go on with a FAILOVER of "billing" (eu-west-1 -> eu-central-1) past step Step1.approve.',
      );
      expect(message).toContain('trigger: alarm (billing-primary-down)');
      expect(message).toContain('Answer within 15 minutes, or the run is aborted.');
      expect(message).toContain(
        "aws stepfunctions send-task-success --region eu-central-1 --task-token 'TOKEN123'",
      );
      expect(message).toContain(
        "aws stepfunctions send-task-failure --region eu-central-1 --task-token 'TOKEN123' --error ApprovalDenied",
      );
    });

    it('takes the timeout and what silence means from the gate, not from anywhere else in the plan', () => {
      const later: ApprovalGate = { step: 'Step3.before-traffic', timeoutMinutes: 90, onTimeout: 'proceed' };
      const { message } = approvalRequest(plan, run, later, 'T');
      expect(message).toContain('past step Step3.before-traffic.');
      expect(message).toContain('Answer within 90 minutes, or the run PROCEEDS.');
      expect(message).not.toContain('15 minutes');
    });

    it('names the reason and who asked, when the run says', () => {
      const { message } = approvalRequest(plan, { ...run, requestedBy: 'alice' }, gate, 'T');
      expect(message).toContain('Reason: eu-west-1 unreachable');
      expect(message).toContain('Requested by: alice');
    });
  });

  describe('requestApproval', () => {
    const sns = mockClient(SNSClient);

    it('publishes the request to the topic', async () => {
      sns.reset();
      await requestApproval(plan, run, gate, 'TOKEN123', {
        sns: new SNSClient({ region: 'eu-central-1' }),
        topicArn: 'arn:topic',
      });
      expect(sns).toHaveReceivedCommandWith(PublishCommand, {
        TopicArn: 'arn:topic',
        Subject: 'dr-runbook billing: approve failover?',
      });
    });

    it('is reached through the runbook handler, which marks the lock as waiting for a person and needs TOPIC_ARN', async () => {
      sns.reset();
      const dynamo = mockClient(DynamoDBClient);
      dynamo.on(UpdateItemCommand).resolves({});
      process.env.HISTORY_TABLE_NAME = 'dr-runbook-billing';
      const saved = process.env.TOPIC_ARN;
      delete process.env.TOPIC_ARN;
      await expect(
        runRunbookAction({ action: 'request-approval', plan, run, gate, taskToken: 'T' }),
      ).rejects.toThrow('environment variable TOPIC_ARN is not set');
      process.env.TOPIC_ARN = 'arn:aws:sns:eu-central-1:123456789012:t';
      await runRunbookAction({ action: 'request-approval', plan, run, gate, taskToken: 'T' });
      expect(sns).toHaveReceivedCommandWith(PublishCommand, {
        TopicArn: 'arn:aws:sns:eu-central-1:123456789012:t',
        Message: expect.stringContaining('past step Step1.approve.'),
      });
      expect(dynamo).toHaveReceivedCommandWith(UpdateItemCommand, {
        TableName: 'dr-runbook-billing',
        ConditionExpression: 'runId = :runId',
        ExpressionAttributeValues: expect.objectContaining({ ':awaiting': { BOOL: true } }),
      });
      delete process.env.HISTORY_TABLE_NAME;
      if (saved === undefined) delete process.env.TOPIC_ARN;
      else process.env.TOPIC_ARN = saved;
    });
  });

  describe('the request-approval event', () => {
    it('carries the gate through validation', () => {
      const event = parseRunbookEvent(
        JSON.parse(JSON.stringify({ action: 'request-approval', plan, run, gate, taskToken: 'T' })),
      );
      expect(event).toMatchObject({ action: 'request-approval', gate });
    });

    it('is rejected without a gate, or with a timeout policy the gate cannot have', () => {
      expect(() => parseRunbookEvent({ action: 'request-approval', plan, run, taskToken: 'T' })).toThrow(
        /invalid runbook event: gate: is required/,
      );
      expect(() =>
        parseRunbookEvent({
          action: 'request-approval',
          plan,
          run,
          gate: { ...gate, onTimeout: 'retry' },
          taskToken: 'T',
        }),
      ).toThrow(/gate\.onTimeout: must be one of "abort", "proceed"/);
    });
  });
});
