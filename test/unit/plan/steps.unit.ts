import { describe, expect, it } from '@jest/globals';
import { planSchema } from '../../../plan/schema.ts';
import { approvalSteps, pathKey, planSteps, resourceById, resourcesOf } from '../../../plan/steps.ts';
import { examplePlan, examplePlanInput } from '../../fixtures.ts';

describe('steps', () => {
  /** Each step as "kind number name: ids" for short, exact assertions. */
  const outline = (plan: Parameters<typeof planSteps>[0]) =>
    planSteps(plan).map((step) =>
      step.kind === 'approval'
        ? `approval ${step.number}${step.name ? ` ${step.name}` : ''}: ${step.approval.when}`
        : `resources ${step.number}${step.name ? ` ${step.name}` : ''}: ${step.resources.map((r) => r.id).join(' ')}`,
    );

  describe('planSteps without "steps": the default order', () => {
    it('runs database and compute together, then traffic', () => {
      expect(outline(examplePlan('warm-standby'))).toEqual(['resources 1: db web', 'resources 2: dns']);
    });

    it('puts hooks in the first step, with the databases and compute, in plan order', () => {
      const input = examplePlanInput('multi-tier');
      delete input.steps;
      // Traffic listed before a database: the default still moves it last.
      input.resources = [...input.resources].reverse();
      expect(outline(planSchema.parse(input))).toEqual([
        'resources 1: flush-cache workers web sessions inventory orders-db',
        'resources 2: dns',
      ]);
    });

    it('has one step when the plan moves no traffic, and one when it only moves traffic', () => {
      const plan = examplePlan('warm-standby');
      expect(outline({ ...plan, resources: plan.resources.filter((r) => r.id !== 'dns') })).toEqual([
        'resources 1: db web',
      ]);
      expect(outline({ ...plan, resources: plan.resources.filter((r) => r.id === 'dns') })).toEqual([
        'resources 1: dns',
      ]);
    });

    it('hands back the resources themselves, not copies of their ids', () => {
      const plan = examplePlan('warm-standby');
      const [first] = planSteps(plan);
      expect(first?.kind === 'resources' && first.resources[0]).toBe(plan.resources[0]);
    });
  });

  describe('planSteps with "steps"', () => {
    it('keeps the order, names and numbers of the plan’s steps, resolving ids to resources', () => {
      expect(outline(examplePlan('multi-tier'))).toEqual([
        'resources 1 data: orders-db inventory sessions',
        'resources 2 apps: web workers',
        'resources 3 caches: flush-cache',
        'resources 4 traffic: dns',
      ]);
    });

    it('numbers approval steps like any other and keeps their settings', () => {
      const plan = examplePlan('pilot-light');
      expect(outline(plan)).toEqual([
        'approval 1 approve: always',
        'resources 2 recover: db app',
        'resources 3 switch: dns',
      ]);
      expect(planSteps(plan)[0]).toEqual({
        kind: 'approval',
        number: 1,
        name: 'approve',
        approval: { when: 'always', timeoutMinutes: 15, onTimeout: 'abort' },
      });
    });

    it('leaves out the name of a step that has none', () => {
      const input = examplePlanInput('warm-standby');
      input.steps = [
        { resources: ['db', 'web'] },
        { approval: { when: 'alarm-triggered' } },
        { resources: ['dns'] },
      ];
      const steps = planSteps(planSchema.parse(input));
      expect(steps.map((s) => 'name' in s)).toEqual([false, false, false]);
      expect(outline(planSchema.parse(input))).toEqual([
        'resources 1: db web',
        'approval 2: alarm-triggered',
        'resources 3: dns',
      ]);
    });
  });

  describe('approvalSteps', () => {
    it('lists only the approval gates, in order', () => {
      expect(approvalSteps(examplePlan('backup-restore'))).toEqual([
        {
          kind: 'approval',
          number: 1,
          name: 'approve',
          approval: { when: 'always', timeoutMinutes: 30, onTimeout: 'abort' },
        },
      ]);
      expect(approvalSteps(examplePlan('warm-standby'))).toEqual([]);
    });
  });

  describe('resourcesOf and resourceById', () => {
    const plan = examplePlan('multi-tier');

    it('gives the resources of one family in plan order', () => {
      expect(resourcesOf(plan, 'database').map((r) => r.id)).toEqual(['orders-db', 'inventory', 'sessions']);
      expect(resourcesOf(plan, 'compute').map((r) => r.id)).toEqual(['web', 'workers']);
      expect(resourcesOf(plan, 'hook').map((r) => r.id)).toEqual(['flush-cache']);
      expect(resourcesOf(plan, 'traffic').map((r) => r.id)).toEqual(['dns']);
    });

    it('finds a resource by id, or nothing', () => {
      expect(resourceById(plan, 'workers')).toMatchObject({
        type: 'auto-scaling-group',
        autoScalingGroupName: 'market-workers-standby',
      });
      expect(resourceById(plan, 'nope')).toBeUndefined();
    });
  });

  describe('pathKey', () => {
    it('turns every "-" of an id into "_", for JSONPath', () => {
      expect(pathKey('orders-db')).toBe('orders_db');
      expect(pathKey('a-b-c')).toBe('a_b_c');
      expect(pathKey('web')).toBe('web');
    });
  });
});
