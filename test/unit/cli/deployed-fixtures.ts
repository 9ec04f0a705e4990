// Fixtures for the commands that work on a deployed runbook: the stack of the warm-standby example
// ("shop", recovery region us-west-2), execution histories, run records, captured output.
import type { DescribeStacksCommandOutput } from '@aws-sdk/client-cloudformation';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { HistoryEvent, HistoryEventType } from '@aws-sdk/client-sfn';
import type { Output } from '../../../cli/main.ts';
import type { RunReport } from '../../../functions/runbook/report-types.ts';

export const STACK_NAME = 'DrRunbook-shop';
export const STATE_MACHINE_ARN = 'arn:aws:states:us-west-2:123456789012:stateMachine:RunbookStateMachine-abc';
export const EXECUTION_NAME = 'drill-20261125T120000Z-3f9a';
export const EXECUTION_ARN = `arn:aws:states:us-west-2:123456789012:execution:RunbookStateMachine-abc:${EXECUTION_NAME}`;
export const TABLE_NAME = 'DrRunbook-shop-RunbookTable-XYZ';

export function captured(): Output & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (l) => stdout.push(l), err: (l) => stderr.push(l) };
}

/** DescribeStacks of the deployed runbook stack, with every output the CLI reads. */
export function describedStack(): DescribeStacksCommandOutput {
  return {
    $metadata: {},
    Stacks: [
      {
        StackName: STACK_NAME,
        StackStatus: 'UPDATE_COMPLETE',
        CreationTime: new Date('2026-11-01T00:00:00Z'),
        Outputs: [
          { OutputKey: 'StateMachineArn', OutputValue: STATE_MACHINE_ARN },
          { OutputKey: 'HistoryTableName', OutputValue: TABLE_NAME },
          { OutputKey: 'TopicArn', OutputValue: 'arn:aws:sns:us-west-2:123456789012:DrRunbook-shop-Topic' },
          { OutputKey: 'ReportsBucketName', OutputValue: 'drrunbook-shop-reports' },
        ],
      },
    ],
  };
}

/** The state machine definition `watch` reads for indentation: Recover is a Parallel of two branches. */
export const DEFINITION = JSON.stringify({
  StartAt: 'Readiness',
  States: {
    Readiness: { Type: 'Task', Next: 'Recover' },
    Recover: {
      Type: 'Parallel',
      Next: 'Report',
      Branches: [
        { StartAt: 'DatabaseStart', States: { DatabaseStart: { Type: 'Task', End: true } } },
        { StartAt: 'ComputeStart', States: { ComputeStart: { Type: 'Task', End: true } } },
      ],
    },
    Report: { Type: 'Task', Next: 'RunSucceeded' },
    RunSucceeded: { Type: 'Succeed' },
    RunFailed: { Type: 'Fail' },
  },
});

/** Builds a history with consecutive ids; each event follows the previous one unless `after` says. */
export function historyBuilder(start = new Date('2026-11-25T12:00:00Z')) {
  const events: HistoryEvent[] = [];
  const at = (seconds: number) => new Date(start.getTime() + seconds * 1000);
  const add = (seconds: number, event: Omit<HistoryEvent, 'id' | 'timestamp'>, after?: number): number => {
    const id = events.length + 1;
    events.push({ id, timestamp: at(seconds), previousEventId: after ?? (id > 1 ? id - 1 : 0), ...event });
    return id;
  };
  return {
    events,
    add,
    started: (input: object) =>
      add(0, { type: 'ExecutionStarted', executionStartedEventDetails: { input: JSON.stringify(input) } }),
    entered: (seconds: number, type: string, name: string, after?: number) =>
      add(
        seconds,
        { type: `${type}StateEntered` as HistoryEventType, stateEnteredEventDetails: { name, input: '{}' } },
        after,
      ),
    exited: (seconds: number, type: string, name: string, output: object = {}, after?: number) =>
      add(
        seconds,
        {
          type: `${type}StateExited` as HistoryEventType,
          stateExitedEventDetails: { name, output: JSON.stringify(output) },
        },
        after,
      ),
    /** A Lambda task's failure (the cause is the Lambda's JSON error when it threw). */
    taskFailed: (seconds: number, error: string, cause: string) =>
      add(seconds, {
        type: 'TaskFailed',
        taskFailedEventDetails: { resourceType: 'lambda', resource: 'invoke', error, cause },
      }),
    /** TaskScheduled, TaskStarted, TaskSucceeded: a task that ran and returned. */
    taskRan: (seconds: number) => {
      add(seconds, { type: 'TaskScheduled' });
      add(seconds, { type: 'TaskStarted' });
      return add(seconds, { type: 'TaskSucceeded' });
    },
  };
}

/** A drill's run record as the report step writes it. */
export function runReport(overrides: Partial<RunReport> = {}): RunReport {
  return {
    plan: 'shop',
    runId: EXECUTION_NAME,
    mode: 'drill',
    outcome: 'succeeded',
    readinessWarnings: [],
    sinksFailed: [],
    trigger: 'console',
    incidentStartedAt: '2026-11-25T12:00:00.000Z',
    startedAt: '2026-11-25T12:00:00.000Z',
    reportedAt: '2026-11-25T12:09:00.000Z',
    predictedRtoSeconds: 480,
    rto: { objectiveSeconds: 1800, achievedSeconds: 512.4, met: true },
    rpo: { objectiveSeconds: 300, achievedSeconds: 12, met: true },
    readinessProblems: [],
    resources: [
      {
        id: 'web',
        type: 'auto-scaling-group',
        family: 'compute',
        outcome: 'succeeded',
        startedAt: '2026-11-25T12:00:05.000Z',
        completedAt: '2026-11-25T12:05:05.000Z',
        seconds: 300,
      },
    ],
    changes: [{ resource: 'shop-web-standby', action: 'scaled', detail: '0/0/0 → 2/4/8' }],
    reverted: [],
    timeline: [{ step: 'Readiness', startMs: 0, endMs: 4000, outcome: 'succeeded' }],
    ...overrides,
  };
}

/** The history table item of a run record. */
export function runItem(report: RunReport): Record<string, AttributeValue> {
  return {
    pk: { S: `RUN#${report.plan}` },
    sk: { S: `${report.startedAt}#${report.runId}` },
    mode: { S: report.mode },
    outcome: { S: report.outcome },
    record: { S: JSON.stringify(report) },
  };
}

/** An error as the SDK's credential chain throws it when it finds nothing. */
export function noCredentials(): Error {
  return Object.assign(new Error('Could not load credentials from any providers'), {
    name: 'CredentialsProviderError',
  });
}
