import { describe, expect, it } from '@jest/globals';
import {
  enforceDeadline,
  StepTimedOutError,
  stepTimeoutSeconds,
} from '../../../functions/shared/deadlines.ts';
import type { ProgressResult, ResourceEvent } from '../../../functions/shared/step-contract.ts';
import { type DrPlan, planSchema, type Resource } from '../../../plan/schema.ts';
import { examplePlan, examplePlanInput, RUN_STARTED_AT } from '../../fixtures.ts';

describe('deadlines', () => {
  const plan = examplePlan('multi-tier'); // orders-db, inventory, sessions, web, workers, flush-cache, dns

  const pending = (startedAt: string, action: ProgressResult['action'] = 'check'): ProgressResult => ({
    family: 'compute',
    action,
    done: false,
    nextCheckSeconds: 10,
    detail: 'market-workers-standby has 1 of 2 instances in service',
    state: { startedAt },
    changes: [],
  });

  /** The event a type's action receives for `id` of `from`. */
  function eventFor(id: string, from: DrPlan = plan): ResourceEvent<Resource> {
    const resource = from.resources.find((r) => r.id === id);
    if (!resource) throw new Error(`no ${id}`);
    return {
      action: 'check',
      plan: from,
      run: { id: 'run-1', mode: 'failover', startedAt: RUN_STARTED_AT },
      resourceId: id,
      resource,
    };
  }

  /** multi-tier with `timeoutMinutes` set on resources[4] ("workers"). */
  function withWorkersTimeout(timeoutMinutes: number): DrPlan {
    const input = examplePlanInput('multi-tier');
    const resources = input.resources.map((r) => (r.id === 'workers' ? { ...r, timeoutMinutes } : r));
    return planSchema.parse({ ...input, resources });
  }

  describe('stepTimeoutSeconds', () => {
    it('defaults to four times the expected time, and never less than 15 minutes', () => {
      expect(stepTimeoutSeconds({}, 300)).toBe(1200);
      expect(stepTimeoutSeconds({}, 900)).toBe(3600);
      expect(stepTimeoutSeconds({}, 60)).toBe(900);
      expect(stepTimeoutSeconds({}, 225)).toBe(900);
      expect(stepTimeoutSeconds({}, 226)).toBe(904);
    });

    it('takes the resource’s timeoutMinutes when set, shorter or longer than the default', () => {
      expect(stepTimeoutSeconds({ timeoutMinutes: 45 }, 300)).toBe(2700);
      expect(stepTimeoutSeconds({ timeoutMinutes: 1 }, 3600)).toBe(60);
      const workers = withWorkersTimeout(45).resources[4];
      expect(workers?.timeoutMinutes).toBe(45);
      expect(stepTimeoutSeconds(workers ?? {}, 300)).toBe(2700);
    });
  });

  describe('enforceDeadline', () => {
    it('lets an operation within its deadline go on', () => {
      expect(() =>
        enforceDeadline(
          eventFor('workers'),
          300,
          pending('2026-11-25T12:00:00Z'),
          new Date('2026-11-25T12:19:00Z'),
        ),
      ).not.toThrow();
    });

    it('fails an operation past its deadline, naming resources[i].timeoutMinutes of that resource', () => {
      const late = () =>
        enforceDeadline(
          eventFor('workers'),
          300,
          pending('2026-11-25T12:00:00Z'),
          new Date('2026-11-25T12:21:00Z'),
        );
      expect(late).toThrow(StepTimedOutError);
      expect(late).toThrow(
        'workers check not done after 21 min (timeout 20 min: raise resources[4].timeoutMinutes if this is normal): market-workers-standby has 1 of 2 instances in service',
      );
      try {
        late();
      } catch (error) {
        expect(error).toMatchObject({ name: 'StepTimedOutError', resource: 'workers', retryable: false });
      }
    });

    it('names the index of the resource in plan.resources, for each resource', () => {
      const message = (id: string) => {
        try {
          enforceDeadline(
            eventFor(id),
            60,
            pending('2026-11-25T12:00:00Z'),
            new Date('2026-11-25T13:00:00Z'),
          );
        } catch (error) {
          return /raise (resources\[\d+\]\.timeoutMinutes)/.exec((error as Error).message)?.[1];
        }
        return undefined;
      };
      expect(['orders-db', 'sessions', 'flush-cache', 'dns'].map(message)).toEqual([
        'resources[0].timeoutMinutes',
        'resources[2].timeoutMinutes',
        'resources[5].timeoutMinutes',
        'resources[6].timeoutMinutes',
      ]);
    });

    it('keeps to the resource’s own timeoutMinutes, not the default', () => {
      const event = eventFor('workers', withWorkersTimeout(45));
      const at = (minutes: number) => new Date(Date.parse('2026-11-25T12:00:00Z') + minutes * 60_000);
      expect(() => enforceDeadline(event, 300, pending('2026-11-25T12:00:00Z'), at(44))).not.toThrow();
      expect(() => enforceDeadline(event, 300, pending('2026-11-25T12:00:00Z'), at(46))).toThrow(
        /not done after 46 min \(timeout 45 min: raise resources\[4\]\.timeoutMinutes/,
      );
    });

    it('applies to a revert loop too, naming the action', () => {
      expect(() =>
        enforceDeadline(
          eventFor('workers'),
          300,
          pending('2026-11-25T12:00:00Z', 'revert'),
          new Date('2026-11-25T12:30:00Z'),
        ),
      ).toThrow(/^workers revert not done after 30 min/);
    });

    it('never fails a finished operation, or one that has not said when it started', () => {
      const done = { ...pending('2026-11-25T10:00:00Z'), done: true };
      expect(() =>
        enforceDeadline(eventFor('workers'), 300, done, new Date('2026-11-25T12:00:00Z')),
      ).not.toThrow();
      const unstamped = { ...pending('x'), state: {} };
      expect(() =>
        enforceDeadline(eventFor('workers'), 300, unstamped, new Date('2026-11-26T12:00:00Z')),
      ).not.toThrow();
    });
  });
});
