import { beforeAll, describe, expect, it } from '@jest/globals';
import validateAsl from 'asl-validator';
import { type AslDefinition, type AslState, extractRunbook } from '../../local/extract-definition.ts';
import { EXAMPLES, SYNTH_TIMEOUT_MS, synthesizeExample } from './synth.ts';

/** The runbook's main states (docs/design.md, "The runbook"): the local runner and the progress view rely on their names. */
const MAIN_STATES = [
  'ValidateInput',
  'AcquireLock',
  'Readiness',
  'Recover',
  'SwitchTraffic',
  'Verify',
  'Report',
  'RevertDrill',
  'ReleaseLock',
  'CleanUpDeadRun',
  'SettleDeadRun',
];

/** Every state with its name, including those inside Parallel branches and Map processors. */
function allStates(definition: AslDefinition): [string, AslState][] {
  return Object.entries(definition.States).flatMap(([name, state]) => {
    const nested = [
      ...(state.Branches ?? []),
      ...[state.Iterator, state.ItemProcessor].filter((d): d is AslDefinition => d !== undefined),
    ];
    return [[name, state] as [string, AslState], ...nested.flatMap(allStates)];
  });
}

/** States directly reachable from a state: Next, Choice rules and Default, Catch handlers. */
function successors(state: AslState): string[] {
  const choices = (state.Choices as { Next: string }[] | undefined) ?? [];
  const catches = (state.Catch as { Next: string }[] | undefined) ?? [];
  return [state.Next, state.Default, ...choices.map((c) => c.Next), ...catches.map((c) => c.Next)].filter(
    (next): next is string => typeof next === 'string',
  );
}

/** Top-level states reachable from `start` without passing through `avoid`. */
function reachable(definition: AslDefinition, start: string, avoid?: string): Set<string> {
  const seen = new Set<string>();
  const queue = [start];
  while (queue.length > 0) {
    const name = queue.shift() as string;
    if (seen.has(name) || name === avoid) continue;
    seen.add(name);
    const state = definition.States[name];
    if (state) queue.push(...successors(state));
  }
  return seen;
}

const isLambdaTask = (state: AslState) =>
  state.Type === 'Task' &&
  typeof state.Resource === 'string' &&
  /^arn:aws:(lambda:[a-z0-9-]+:\d+:function:|states:::lambda:invoke)/.test(state.Resource);

describe('asl-validator', () => {
  it('is live: it rejects a transition to a state that does not exist', () => {
    const broken = { StartAt: 'A', States: { A: { Type: 'Pass', Next: 'Missing' } } };

    expect(validateAsl(broken).isValid).toBe(false);
  });
});

describe.each(EXAMPLES)('runbook definition of the %s example', (name) => {
  let definition: AslDefinition;

  beforeAll(async () => {
    const { template, stack } = await synthesizeExample(name);
    definition = extractRunbook(template, stack.region).definition;
  }, SYNTH_TIMEOUT_MS);

  it('is valid Amazon States Language', () => {
    const result = validateAsl(structuredClone(definition));

    expect(result.errorsText()).toBe('');
    expect(result.isValid).toBe(true);
  });

  it('has the main states of the runbook', () => {
    expect(Object.keys(definition.States)).toEqual(expect.arrayContaining(MAIN_STATES));
  });

  it("waits only for the step's own nextCheckSeconds, never a fixed time (a cleanup waits for a dead run to settle)", () => {
    const waits = allStates(definition).filter(
      ([waitName, state]) =>
        state.Type === 'Wait' &&
        !(waitName === 'SettleDeadRun' && state.TimestampPath === '$.cleanup.settleUntil'),
    );
    expect(waits.length).toBeGreaterThan(0);

    const fixed = waits.filter(
      ([, state]) =>
        typeof state.SecondsPath !== 'string' ||
        !state.SecondsPath.endsWith('.nextCheckSeconds') ||
        ['Seconds', 'Timestamp', 'TimestampPath'].some((key) => key in state),
    );

    expect(fixed.map(([waitName, state]) => ({ name: waitName, state }))).toEqual([]);
  });

  it('retries TransientAwsError in every Lambda task', () => {
    const lambdaTasks = allStates(definition).filter(([, state]) => isLambdaTask(state));
    expect(lambdaTasks.length).toBeGreaterThan(0);

    const withoutRetry = lambdaTasks
      .filter(([, state]) => {
        const retriers = (state.Retry as { ErrorEquals: string[] }[] | undefined) ?? [];
        return !retriers.some((retrier) => retrier.ErrorEquals.includes('TransientAwsError'));
      })
      .map(([taskName]) => taskName);

    expect(withoutRetry).toEqual([]);
  });

  it('switches traffic only after Recover', () => {
    expect(reachable(definition, 'Readiness').has('SwitchTraffic')).toBe(true);

    const predecessors = Object.entries(definition.States)
      .filter(([, state]) => successors(state).includes('SwitchTraffic'))
      .map(([predecessor]) => predecessor);

    // Recover's branches each catch their own failure; the Choice after it goes on only when none failed.
    expect(predecessors).toEqual(['RecoverSettled?']);
    const settled = definition.States['RecoverSettled?'] as unknown as {
      Choices: unknown[];
      Default: string;
    };
    expect(settled.Default).toBe('SwitchTraffic');
    expect(settled.Choices).toHaveLength(2);
    expect(JSON.stringify(settled.Choices)).not.toContain('SwitchTraffic');
    expect(reachable(definition, 'Readiness', 'Recover').has('SwitchTraffic')).toBe(false);
  });
});
