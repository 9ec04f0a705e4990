// The simulation's timeline: a settled branch whose failure was caught is failed, and so is its
// step, though the Parallel ends normally; a task retried and then successful is not.
import { describe, expect, it } from '@jest/globals';
import type { AslDefinition } from '../../../local/extract-definition.ts';
import type { EventLog } from '../../../local/run-local.ts';
import { buildTimeline } from '../../../local/timeline.ts';

const definition = {
  StartAt: 'Step1',
  States: {
    Step1: {
      Type: 'Parallel',
      Branches: [
        { StartAt: 'db.Start', States: { 'db.Start': { Type: 'Task' }, 'db.Done': { Type: 'Pass' } } },
        { StartAt: 'web.Start', States: { 'web.Start': { Type: 'Task' }, 'web.Done': { Type: 'Pass' } } },
      ],
    },
  },
} as unknown as AslDefinition;

let clock = 0;
function event(type: string, name: string, stateType: string): EventLog {
  clock += 10;
  return { type, timestamp: clock, state: { name, type: stateType, input: {} } } as unknown as EventLog;
}

describe('timeline', () => {
  it('marks a caught branch failed, and its step, whatever states ran after the catch', () => {
    const rows = buildTimeline(definition, [
      event('StateEntered', 'Step1', 'Parallel'),
      event('StateEntered', 'db.Start', 'Task'),
      event('StateFailed', 'db.Start', 'Task'),
      event('StateCaught', 'db.Start', 'Task'),
      event('StateEntered', 'db.Done', 'Pass'),
      event('StateExited', 'db.Done', 'Pass'),
      event('StateEntered', 'web.Start', 'Task'),
      event('StateExited', 'web.Start', 'Task'),
      event('StateExited', 'Step1', 'Parallel'),
    ]);
    expect(rows.map((r) => [r.step, r.outcome])).toEqual([
      ['Step1', 'failed'],
      ['Step1 · db', 'failed'],
      ['Step1 · web', 'succeeded'],
    ]);
  });

  it('keeps a branch whose task failed, was retried and then succeeded as succeeded', () => {
    const rows = buildTimeline(definition, [
      event('StateEntered', 'Step1', 'Parallel'),
      event('StateEntered', 'db.Start', 'Task'),
      event('StateFailed', 'db.Start', 'Task'),
      event('StateRetried', 'db.Start', 'Task'),
      event('StateExited', 'db.Start', 'Task'),
      event('StateExited', 'Step1', 'Parallel'),
    ]);
    expect(rows.map((r) => [r.step, r.outcome])).toEqual([
      ['Step1', 'succeeded'],
      ['Step1 · db', 'succeeded'],
    ]);
  });
});
