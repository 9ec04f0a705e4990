import { describe, expect, it } from '@jest/globals';
import { errorOf, executionEnd, HistoryEventConverter } from '../../../cli/history-events.ts';
import { historyBuilder } from './deployed-fixtures.ts';

describe('history-events', () => {
  const T0 = new Date('2026-11-25T12:00:00Z').getTime();

  describe('HistoryEventConverter', () => {
    it('turns entered and exited states into progress events, each once across polls', () => {
      const h = historyBuilder();
      h.started({ mode: 'drill' });
      h.entered(0, 'Task', 'Readiness');
      h.taskRan(3);
      h.exited(3, 'Task', 'Readiness', { detail: 'ok' });
      const converter = new HistoryEventConverter();

      const first = h.events.flatMap((e) => converter.convert(e));
      const again = h.events.flatMap((e) => converter.convert(e));

      expect(first).toEqual([
        { type: 'StateEntered', timestamp: T0, state: { name: 'Readiness', type: 'Task', input: {} } },
        {
          type: 'StateExited',
          timestamp: T0 + 3000,
          state: { name: 'Readiness', type: 'Task', input: null, output: { detail: 'ok' } },
        },
      ]);
      expect(again).toEqual([]);
    });

    it('reports a failure followed by a new attempt as a retry, with the attempt number', () => {
      const h = historyBuilder();
      h.entered(0, 'Task', 'Verify');
      h.add(0, { type: 'TaskScheduled' });
      h.taskFailed(
        2,
        'TransientAwsError',
        '{"errorType":"TransientAwsError","errorMessage":"Rate exceeded"}',
      );
      h.add(4, { type: 'TaskScheduled' });
      h.taskFailed(6, 'TransientAwsError', 'plain cause');
      h.add(8, { type: 'TaskScheduled' });
      const converter = new HistoryEventConverter();

      const retries = h.events.flatMap((e) => converter.convert(e)).filter((e) => e.type === 'StateRetried');

      expect(retries).toMatchObject([
        {
          timestamp: T0 + 2000,
          state: { name: 'Verify' },
          Error: 'TransientAwsError',
          Cause: 'Rate exceeded',
        },
        { timestamp: T0 + 6000, retry: { attempt: 2 }, Cause: 'plain cause' },
      ]);
    });

    it('reports a caught failure as failed before the state exits', () => {
      const h = historyBuilder();
      h.entered(0, 'Task', 'Verify');
      h.add(0, { type: 'TaskScheduled' });
      h.taskFailed(5, 'RecoveryNotVerifiedError', 'probe answered 503');
      h.exited(5, 'Task', 'Verify');
      const converter = new HistoryEventConverter();

      const types = h.events.flatMap((e) => converter.convert(e)).map((e) => e.type);

      expect(types).toEqual(['StateEntered', 'StateFailed', 'StateExited']);
    });

    it('reports an uncaught failure when the execution fails', () => {
      const h = historyBuilder();
      h.entered(0, 'Task', 'AcquireLock');
      h.add(0, { type: 'TaskScheduled' });
      h.taskFailed(1, 'DynamoDB.ConditionalCheckFailedException', 'held');
      h.add(1, { type: 'ExecutionFailed', executionFailedEventDetails: { error: 'AlreadyRunning' } });
      const converter = new HistoryEventConverter();

      const events = h.events.flatMap((e) => converter.convert(e));

      expect(events.at(-1)).toMatchObject({
        type: 'StateFailed',
        state: { name: 'AcquireLock' },
        Error: 'DynamoDB.ConditionalCheckFailedException',
      });
      const last = h.events.at(-1);
      expect(last && executionEnd(last)).toBe('FAILED');
      expect(last && errorOf(last)).toEqual({ error: 'AlreadyRunning', cause: '' });
    });
  });
});
