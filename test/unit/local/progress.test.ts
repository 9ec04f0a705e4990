import { describe, expect, it } from '@jest/globals';
import type { AslDefinition } from '../../../local/extract-definition.ts';
import { progressPrinter } from '../../../local/progress.ts';
import type { EventLog } from '../../../local/run-local.ts';

/** The v2 state names: `<id>.Readiness` branches, `Step<N>.<name>` Parallels, `<id>.Start` loops. */
const definition: AslDefinition = {
  StartAt: 'Readiness',
  States: {
    Readiness: {
      Type: 'Parallel',
      Branches: [
        { StartAt: 'db.Readiness', States: { 'db.Readiness': { Type: 'Task' } } },
        { StartAt: 'web.Readiness', States: { 'web.Readiness': { Type: 'Task' } } },
      ],
    },
    'Step1.data': {
      Type: 'Parallel',
      Branches: [
        {
          StartAt: 'db.Begin',
          States: {
            'db.Begin': { Type: 'Pass' },
            'db.Start': { Type: 'Task' },
            'db.StartDone?': { Type: 'Choice' },
            'db.StartWait': { Type: 'Wait' },
            'db.Check': { Type: 'Task' },
          },
        },
      ],
    },
    'Step2.approve.WaitForApproval': { Type: 'Task' },
    RunFailed: { Type: 'Fail' },
  },
};

type StateEvent = 'StateEntered' | 'StateExited' | 'StateFailed' | 'StateRetried';

/** An event of the local runner for the state `name` (its type looked up in the definition). */
function event(
  type: StateEvent,
  name: string,
  timestamp: number,
  extra: Record<string, unknown> = {},
): EventLog {
  const { output, ...rest } = extra;
  return {
    type,
    timestamp,
    state: { name, type: typeOf(name), input: {}, ...(output !== undefined ? { output } : {}) },
    ...rest,
  } as unknown as EventLog;
}

function typeOf(name: string): string {
  const find = (d: AslDefinition): string | undefined => {
    for (const [n, s] of Object.entries(d.States)) {
      if (n === name) return s.Type;
      for (const b of s.Branches ?? []) {
        const found = find(b);
        if (found) return found;
      }
    }
    return undefined;
  };
  return find(definition) ?? 'Task';
}

function printer() {
  const lines: string[] = [];
  return { lines, print: progressPrinter(definition, (line) => lines.push(line), 1_000) };
}

describe('progressPrinter', () => {
  it('names every readiness check that warned or failed, with what it found, not only counts', () => {
    const { lines, print } = printer();
    print(
      event('StateExited', 'db.Readiness', 1_500, {
        output: {
          family: 'database',
          resource: 'db',
          type: 'rds-read-replica',
          predictedSeconds: 300,
          ready: false,
          checks: [
            { name: 'replica-available', status: 'pass', detail: 'available' },
            { name: 'replica-lag', status: 'warn', detail: 'ReplicaLag 240 s is close to the RPO of 300 s' },
            { name: 'snapshot-age', status: 'fail', detail: 'newest snapshot is 30 h old (max 24 h)' },
          ],
        },
      }),
    );

    const text = lines.join('\n');
    expect(lines[0]).toMatch(
      /^\+ {2}0\.50s {4}✓ db\.Readiness \(0\.00 s\) — 1 pass, 1 warn, 1 fail; predicted 300 s/,
    );
    expect(text).toContain('! replica-lag: ReplicaLag 240 s is close to the RPO of 300 s');
    expect(text).toContain('✗ snapshot-age: newest snapshot is 30 h old (max 24 h)');
    expect(text).not.toContain('replica-available:');
  });

  it('says when a resource’s readiness could not run at all', () => {
    const { lines, print } = printer();
    print(
      event('StateExited', 'web.Readiness', 2_000, {
        output: {
          family: 'compute',
          resource: 'web',
          type: 'auto-scaling-group',
          checks: [],
          ready: false,
          error: { Error: 'AccessDeniedError', Cause: 'not authorized to DescribeAutoScalingGroups' },
        },
      }),
    );
    expect(lines.join('\n')).toContain(
      '✗ readiness could not run: not authorized to DescribeAutoScalingGroups',
    );
  });

  it('opens and closes a step’s Parallel and indents its resource’s tasks inside it', () => {
    const { lines, print } = printer();
    print(event('StateEntered', 'Step1.data', 2_000));
    print(event('StateEntered', 'db.Begin', 2_000));
    print(event('StateExited', 'db.Begin', 2_000));
    print(event('StateEntered', 'db.Start', 2_000));
    print(event('StateExited', 'db.Start', 2_500, { output: { detail: 'promoting market-orders-replica' } }));
    print(event('StateEntered', 'db.StartDone?', 2_500));
    print(event('StateExited', 'db.StartDone?', 2_500));
    print(event('StateEntered', 'db.StartWait', 2_500));
    print(event('StateExited', 'db.StartWait', 4_500));
    print(event('StateEntered', 'db.Check', 4_500));
    print(
      event('StateExited', 'db.Check', 4_750, { output: { detail: 'market-orders-replica is available' } }),
    );
    print(event('StateExited', 'Step1.data', 4_800));

    expect(lines).toEqual([
      '+  1.00s  ┌ Step1.data',
      '+  1.50s    ✓ db.Start (0.50 s) — promoting market-orders-replica',
      '+  3.75s    ✓ db.Check (0.25 s) — market-orders-replica is available',
      '+  3.80s  └ Step1.data (2.80 s)',
    ]);
  });

  it('shows a retried and a failed task with the error, and a Fail state', () => {
    const { lines, print } = printer();
    print(event('StateEntered', 'db.Check', 1_000));
    print(
      event('StateRetried', 'db.Check', 1_200, {
        retry: { retrier: { ErrorEquals: ['TransientAwsError'] }, attempt: 1 },
      }),
    );
    print(
      event('StateFailed', 'db.Check', 1_400, {
        Error: 'AccessDeniedError',
        Cause: 'no DescribeDBInstances',
      }),
    );
    print(event('StateExited', 'db.Check', 1_400));
    print(event('StateEntered', 'RunFailed', 1_500));

    expect(lines).toEqual([
      '+  0.20s    ↻ retry db.Check (0.20 s)',
      '+  0.40s    ✗ db.Check (0.40 s) — AccessDeniedError: no DescribeDBInstances',
      '+  0.50s  ✗ RunFailed',
    ]);
  });

  it('prints an approval step’s wait at the top level', () => {
    const { lines, print } = printer();
    print(event('StateEntered', 'Step2.approve.WaitForApproval', 1_000));
    print(event('StateExited', 'Step2.approve.WaitForApproval', 61_000, { output: { approved: true } }));
    expect(lines).toEqual(['+ 60.00s  ✓ Step2.approve.WaitForApproval (60.0 s)']);
  });
});
