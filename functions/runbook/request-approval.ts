// Approval gate: tells the on-call what is about to happen and exactly how to answer. The state
// machine waits on the task token until someone answers or the plan's timeout policy applies.
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { DrPlan } from '../../plan/schema.ts';
import { awsCall } from '../shared/aws-errors.ts';
import type { RunRecord } from './execution-input.ts';

export interface ApprovalRequest {
  subject: string;
  message: string;
}

export interface ApprovalGate {
  /** The approval step's state name, e.g. "Step1.approve". */
  step: string;
  timeoutMinutes: number;
  onTimeout: 'abort' | 'proceed';
}

/** The notification a person acts on: what, why, and the two commands to answer. */
export function approvalRequest(
  plan: DrPlan,
  run: RunRecord,
  gate: ApprovalGate,
  taskToken: string,
): ApprovalRequest {
  const region = plan.regions.recovery;
  const timeout = gate.timeoutMinutes;
  const onTimeout = gate.onTimeout === 'proceed' ? 'the run PROCEEDS' : 'the run is aborted';
  return {
    subject: `dr-runbook ${plan.name}: approve ${run.mode}?`.slice(0, 99),
    message: [
      `dr-runbook wants to go on with a ${run.mode.toUpperCase()} of "${plan.name}" (${plan.regions.primary} -> ${region}) past step ${gate.step}.`,
      `Run: ${run.id}, trigger: ${run.trigger.type}${run.trigger.type === 'alarm' ? ` (${run.trigger.alarmName})` : ''}`,
      ...(run.reason ? [`Reason: ${run.reason}`] : []),
      ...(run.requestedBy ? [`Requested by: ${run.requestedBy}`] : []),
      '',
      `Answer within ${timeout} minutes, or ${onTimeout}.`,
      '',
      'Approve:',
      `  aws stepfunctions send-task-success --region ${region} --task-token '${taskToken}' --task-output '{"approved":true}'`,
      'Deny:',
      `  aws stepfunctions send-task-failure --region ${region} --task-token '${taskToken}' --error ApprovalDenied --cause "<why>"`,
    ].join('\n'),
  };
}

export async function requestApproval(
  plan: DrPlan,
  run: RunRecord,
  gate: ApprovalGate,
  taskToken: string,
  target: { sns: SNSClient; topicArn: string },
): Promise<{ requested: true }> {
  const { subject, message } = approvalRequest(plan, run, gate, taskToken);
  await awsCall({ resource: target.topicArn, operation: 'publish the approval request' }, () =>
    target.sns.send(new PublishCommand({ TopicArn: target.topicArn, Subject: subject, Message: message })),
  );
  return { requested: true };
}
