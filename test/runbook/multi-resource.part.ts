// Several resources of one type in one plan: the warm-standby plan plus a second auto-scaling-group
// "workers" (its own group, launch template and AMIs), which the default steps put in Step1 beside
// db and web. Each group is scaled on its own AMI and tagged with its own resource id, a drill puts
// both back, and the report has a row with its own timing for every resource.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { type DrPlan, planSchema } from '../../plan/schema.ts';
import { examplePlanInput } from '../fixtures.ts';
import { type Environment, first, type GroupSeed, WARM_STANDBY } from './environments.ts';
import type { FakeAws } from './fake-aws.ts';
import {
  answerProbes,
  fakeAwsFor,
  finalState,
  onlyReport,
  type Runbook,
  type RunbookRun,
  runRunbook,
  synthesizePlan,
} from './harness.ts';

describe('multi-resource', () => {
  const WEB = first(WARM_STANDBY.groups, 'group');
  const WORKERS: GroupSeed = {
    name: 'shop-workers-standby',
    min: 0,
    desired: 0,
    max: 1,
    instances: 0,
    launchTemplate: { id: 'lt-0shopworkers0001', name: 'shop-workers' },
    amis: {
      tags: { 'dr-runbook:plan': 'shop', role: 'worker' },
      older: { id: 'ami-0workersolder', ageHours: 200 },
      newer: { id: 'ami-0workersnewer', ageHours: 10 },
      untagged: { id: 'ami-0workersuntagged', ageHours: 1 },
    },
  };
  const ENVIRONMENT: Environment = { ...WARM_STANDBY, groups: [WEB, WORKERS] };
  const ZONE = first(WARM_STANDBY.zones, 'zone');

  /** warm-standby with "workers" after "web" (the default steps: db, web, workers; then dns). */
  function twoGroupPlan(): DrPlan {
    const input = examplePlanInput('warm-standby');
    const [db, web, ...rest] = input.resources;
    const workers = {
      id: 'workers',
      type: 'auto-scaling-group' as const,
      autoScalingGroupName: WORKERS.name,
      capacity: { min: 2, desired: 3, max: 6 },
      ami: { tags: { ...WORKERS.amis.tags } },
    };
    return planSchema.parse({ ...input, resources: [db, web, workers, ...rest] });
  }

  let runbook: Runbook;

  beforeAll(async () => {
    runbook = await synthesizePlan(twoGroupPlan(), ENVIRONMENT);
  }, 30_000);

  /** The UpdateAutoScalingGroup requests sent for one group, in order. */
  const updatesOf = (fake: FakeAws, group: string) =>
    fake
      .callsOf('UpdateAutoScalingGroup')
      .map((call) => call.input as { AutoScalingGroupName?: string })
      .filter((input) => input.AutoScalingGroupName === group);

  /** The run tags each group was given (by CreateOrUpdateTags): group → dr-runbook:resource. */
  function resourceTagOf(fake: FakeAws): Record<string, string | undefined> {
    const tagged: Record<string, string | undefined> = {};
    for (const call of fake.callsOf('CreateOrUpdateTags')) {
      for (const tag of (call.input as { Tags?: { ResourceId?: string; Key?: string; Value?: string }[] })
        .Tags ?? []) {
        if (tag.Key === 'dr-runbook:resource') tagged[tag.ResourceId ?? ''] = tag.Value;
      }
    }
    return tagged;
  }

  function expectEveryResourceTimed(fake: FakeAws): void {
    const report = onlyReport(fake);
    expect(report.resources.map((row) => `${row.id} ${row.type} ${row.outcome}`)).toEqual([
      'db rds-read-replica succeeded',
      'web auto-scaling-group succeeded',
      'workers auto-scaling-group succeeded',
      'dns route53-records succeeded',
    ]);
    for (const row of report.resources) {
      expect(row).toMatchObject({
        startedAt: expect.any(String),
        completedAt: expect.any(String),
        seconds: expect.any(Number),
      });
    }
    expect(report.timeline.map((row) => row.step)).toEqual(
      expect.arrayContaining([
        'db (rds-read-replica)',
        'web (auto-scaling-group)',
        'workers (auto-scaling-group)',
        'dns (route53-records)',
      ]),
    );
  }

  describe('a plan with two auto-scaling groups', () => {
    it('runs both groups in Step1, each branch named by its id', () => {
      const step1 = runbook.extracted.definition.States.Step1;
      const starts = (step1?.Branches ?? []).map((branch) => branch.StartAt);
      expect(starts).toEqual(['db.Begin', 'web.Begin', 'workers.Begin']);
    });
  });

  describe('drill of a plan with two auto-scaling groups', () => {
    let fake: FakeAws;
    let run: RunbookRun;

    beforeAll(async () => {
      fake = fakeAwsFor(runbook);
      answerProbes(200);
      run = await runRunbook(runbook, { input: { mode: 'drill' }, executionName: 'drill-two-groups' });
    });

    it('succeeds, each group scaled and reverted in its own branch', () => {
      expect(run.status).toBe('SUCCEEDED');
      for (const id of ['web', 'workers']) {
        expect(run.entered).toEqual(
          expect.arrayContaining([
            `${id}.Start`,
            `${id}.StartDone`,
            `${id}.KeepCompute?`,
            `${id}.RevertDone`,
          ]),
        );
      }
      const state = finalState(run) as { results: Record<string, Record<string, unknown>> };
      expect(Object.keys(state.results.step1 ?? {})).toEqual(['db', 'web', 'workers']);
    });

    it('scales each group to its own capacity on its own newest AMI, tagged with its own resource id', () => {
      expect(updatesOf(fake, WEB.name)[0]).toMatchObject({ MinSize: 2, DesiredCapacity: 4, MaxSize: 8 });
      expect(updatesOf(fake, WORKERS.name)[0]).toMatchObject({
        MinSize: 2,
        DesiredCapacity: 3,
        MaxSize: 6,
        LaunchTemplate: { LaunchTemplateId: WORKERS.launchTemplate.id, Version: '2' },
      });
      const images = fake.callsOf('CreateLaunchTemplateVersion').map((call) => {
        const input = call.input as { LaunchTemplateId?: string; LaunchTemplateData?: { ImageId?: string } };
        return [input.LaunchTemplateId, input.LaunchTemplateData?.ImageId];
      });
      expect(images).toEqual(
        expect.arrayContaining([
          [WEB.launchTemplate.id, WEB.amis.newer.id],
          [WORKERS.launchTemplate.id, WORKERS.amis.newer.id],
        ]),
      );
      expect(images).toHaveLength(2);
      expect(resourceTagOf(fake)).toEqual({ [WEB.name]: 'web', [WORKERS.name]: 'workers' });
    });

    it('reverts both groups as they were: capacity, template version, template versions, tags', () => {
      for (const seed of [WEB, WORKERS]) {
        expect(updatesOf(fake, seed.name)).toHaveLength(2);
        expect(updatesOf(fake, seed.name)[1]).toMatchObject({
          MinSize: seed.min,
          DesiredCapacity: seed.desired,
          MaxSize: seed.max,
          LaunchTemplate: { LaunchTemplateId: seed.launchTemplate.id, Version: '1' },
        });
        expect(fake.capacity(seed.name)).toEqual({ min: seed.min, desired: seed.desired, max: seed.max });
        expect(fake.group(seed.name).launchTemplate.version).toBe('1');
        expect(fake.template(seed.launchTemplate.id).versions.map((v) => v.number)).toEqual([1]);
        expect(Object.keys(fake.group(seed.name).tags)).toEqual(['app']);
      }
      expect([...fake.rds.instances.keys()]).toEqual([first(WARM_STANDBY.replicas, 'replica').replicaId]);
      expect(fake.zone().records).toEqual(ZONE.records);
    });

    it('reports every resource with its own timing', () => {
      expect(onlyReport(fake)).toMatchObject({ mode: 'drill', outcome: 'succeeded' });
      expectEveryResourceTimed(fake);
      const state = finalState(run) as { revert: Record<string, Record<string, { done: boolean }>> };
      expect(state.revert.step1).toMatchObject({
        db: { done: true },
        web: { done: true },
        workers: { done: true },
      });
    });
  });

  describe('failover of a plan with two auto-scaling groups', () => {
    let fake: FakeAws;
    let run: RunbookRun;

    beforeAll(async () => {
      fake = fakeAwsFor(runbook);
      answerProbes(200);
      run = await runRunbook(runbook, {
        input: { mode: 'failover', confirm: 'shop' },
        executionName: 'failover-two-groups',
      });
    });

    it('succeeds with both groups at their capacity, each on a new version of its own template', () => {
      expect(run.status).toBe('SUCCEEDED');
      expect(fake.capacity(WEB.name)).toEqual({ min: 2, desired: 4, max: 8 });
      expect(fake.capacity(WORKERS.name)).toEqual({ min: 2, desired: 3, max: 6 });
      for (const seed of [WEB, WORKERS]) {
        const group = fake.group(seed.name);
        expect(group.launchTemplate).toMatchObject({ id: seed.launchTemplate.id, version: '2' });
        expect(fake.template(seed.launchTemplate.id).versions.find((v) => v.number === 2)?.imageId).toBe(
          seed.amis.newer.id,
        );
        expect(group.instances.filter((i) => i.version === '2').length).toBeGreaterThan(0);
      }
      expect(fake.replica()?.source).toBeUndefined();
    });

    it('switches traffic only after both groups (and the database) are done', () => {
      expect(run.entered.indexOf('dns.Start')).toBeGreaterThan(run.entered.indexOf('web.StartDone'));
      expect(run.entered.indexOf('dns.Start')).toBeGreaterThan(run.entered.indexOf('workers.StartDone'));
      expect(run.entered.indexOf('dns.Start')).toBeGreaterThan(run.entered.indexOf('db.StartDone'));
      expect(fake.route53.changeBatches).toHaveLength(1);
    });

    it('reports every resource with its own timing, and the changes of both groups', () => {
      expect(onlyReport(fake)).toMatchObject({ mode: 'failover', outcome: 'succeeded' });
      expectEveryResourceTimed(fake);
      const changes = onlyReport(fake).changes.map((change) => `${change.resource} ${change.action}`);
      expect(changes).toEqual(expect.arrayContaining([`${WEB.name} scale`, `${WORKERS.name} scale`]));
    });
  });
});
