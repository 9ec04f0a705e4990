import { readdirSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { parsePlan } from '../../../plan/load.ts';
import { MAX_RECORDS_PER_RESOURCE } from '../../../plan/resources/traffic.ts';
import type { DrPlan } from '../../../plan/schema.ts';
import {
  isIanaTimeZone,
  MAX_PLAN_BYTES,
  MAX_RESOURCES,
  MAX_TOTAL_RECORDS,
  planSchema,
  type ResourceOfType,
  type ResourceType,
} from '../../../plan/schema.ts';
import { examplePlanInput, examplesDir } from '../../fixtures.ts';

describe('schema', () => {
  // biome-ignore lint/suspicious/noExplicitAny: tests write deliberately wrong JSON into any field
  type EditablePlan = Record<string, any>;

  /**
   * Problems reported for an example after `edit`. warm-standby: resources db (rds-read-replica),
   * web (auto-scaling-group), dns (route53-records, zone shop.example.com), no steps. multi-tier:
   * orders-db, inventory, sessions, web, workers, flush-cache, dns in steps data, apps, caches, traffic.
   */
  function problemsAfter(edit: (plan: EditablePlan) => void, example = 'warm-standby'): string[] {
    const input = structuredClone(examplePlanInput(example)) as EditablePlan;
    edit(input);
    const result = parsePlan(input);
    return result.ok ? [] : result.problems;
  }

  /** The first resource of `type` in a parsed plan. */
  function first<T extends ResourceType>(plan: DrPlan, type: T): ResourceOfType<T> {
    const found = plan.resources.find((r): r is ResourceOfType<T> => r.type === type);
    if (!found) throw new Error(`no ${type} in plan ${plan.name}`);
    return found;
  }

  /** A valid standby group, its own unless `groupName` says otherwise. */
  const group = (id: string, groupName = `grp-${id}`, amiTags: Record<string, string> = { role: id }) => ({
    id,
    type: 'auto-scaling-group',
    autoScalingGroupName: groupName,
    capacity: { min: 0, desired: 1, max: 2 },
    ami: { tags: amiTags },
  });

  /** A valid traffic resource in shop.example.com with `count` records of its own. */
  const trafficIn = (id: string, count: number) => ({
    id,
    type: 'route53-records',
    hostedZoneId: 'Z0SHOPEXAMPLE',
    hostedZoneName: 'shop.example.com',
    drillRecordName: `drill-${id}.shop.example.com`,
    records: Array.from({ length: count }, (_, k) => ({
      name: `${id}-${k}.shop.example.com`,
      type: 'CNAME',
      recoveryTarget: { value: `${id}-${k}.us-west-2.shop.example.com` },
    })),
  });

  describe('plan examples', () => {
    const examples = readdirSync(examplesDir).filter((f) => f.endsWith('.json'));

    it('ships the four DR patterns, a multi-tier application and a plan for each data-plane traffic switch', () => {
      expect(examples.sort()).toEqual([
        'active-active.json',
        'arc-routing-control.json',
        'backup-restore.json',
        'health-check-failover.json',
        'multi-tier.json',
        'pilot-light.json',
        'warm-standby.json',
      ]);
    });

    it.each(examples)('%s is a valid plan', (file) => {
      const result = parsePlan(examplePlanInput(file.replace(/\.json$/, '')));
      expect(result).toEqual({ ok: true, plan: expect.any(Object) });
    });

    it('multi-tier has three kinds of database, two groups, a hook and records, in four named steps', () => {
      const plan = planSchema.parse(examplePlanInput('multi-tier'));
      expect(plan.resources.map((r) => `${r.id}:${r.type}`)).toEqual([
        'orders-db:rds-read-replica',
        'inventory:aurora-global-database',
        'sessions:dynamodb-global-table',
        'web:auto-scaling-group',
        'workers:auto-scaling-group',
        'flush-cache:lambda-hook',
        'dns:route53-records',
      ]);
      expect(plan.steps?.map((s) => s.name)).toEqual(['data', 'apps', 'caches', 'traffic']);
    });
  });

  describe('planSchema defaults', () => {
    it('fills in what a user would expect when optional fields are left out', () => {
      const plan = planSchema.parse(examplePlanInput('pilot-light'));
      expect(plan.triggers.cooldownMinutes).toBe(60);
      expect(first(plan, 'auto-scaling-group').ami).toEqual({
        tags: { 'dr-runbook:plan': 'billing' },
        owners: ['self'],
        maxAgeHours: 168,
      });
      expect(first(plan, 'route53-records').records[0]?.ttlSeconds).toBe(60);
      expect(first(plan, 'route53-records').expectedSyncSeconds).toBe(60);
      const db = first(plan, 'rds-read-replica');
      expect(db.backupRetentionDays).toBe(7);
      expect(db.expectedPromotionSeconds).toBe(300);
      expect(db.drill).toEqual({ snapshotMaxAgeHours: 24 });
      expect(db.timeoutMinutes).toBeUndefined();
      expect(plan.steps?.[0]).toEqual({
        name: 'approve',
        approval: { when: 'always', timeoutMinutes: 15, onTimeout: 'abort' },
      });
      expect(plan.schedules.gameDay).toEqual({
        expression: 'cron(0 9 ? * WED#2 *)',
        timezone: 'Europe/Dublin',
        enabled: true,
      });
      expect(plan.tags).toEqual({});
      expect(plan.verification.alarmInsufficientDataIsOk).toBe(false);
    });

    it('fills in the defaults of an approval step, a hook, an Aurora and a DynamoDB resource', () => {
      const backup = planSchema.parse(examplePlanInput('backup-restore'));
      expect(backup.steps?.[0]?.approval).toEqual({ when: 'always', timeoutMinutes: 30, onTimeout: 'abort' });
      const market = planSchema.parse(examplePlanInput('multi-tier'));
      expect(first(market, 'lambda-hook')).toMatchObject({
        invocationTimeoutSeconds: 10,
        expectedSeconds: 30,
        runInDrills: true,
      });
      expect(first(market, 'aurora-global-database')).toMatchObject({
        expectedFailoverSeconds: 120,
        drill: { instanceClass: 'db.r6g.large' },
      });
      expect(first(market, 'dynamodb-global-table').drill).toEqual({ probeKeyPrefix: 'dr-runbook-probe' });
    });

    it('leaves steps out when the plan leaves them out (plan/steps.ts decides the default order)', () => {
      expect(planSchema.parse(examplePlanInput()).steps).toBeUndefined();
    });

    it('normalises DNS names to lowercase without the trailing dot', () => {
      const input = examplePlanInput() as EditablePlan;
      input.resources[2].hostedZoneName = 'Shop.Example.COM.';
      input.resources[2].records[0].name = 'WWW.shop.example.com.';
      const traffic = first(planSchema.parse(input), 'route53-records');
      expect(traffic.hostedZoneName).toBe('shop.example.com');
      expect(traffic.records[0]?.name).toBe('www.shop.example.com');
    });
  });

  describe('planSchema: fields name the field and the fix', () => {
    it('rejects a capacity given as a string', () => {
      expect(
        problemsAfter((p) => {
          p.resources[1].capacity.desired = '4';
        }),
      ).toEqual([
        'resources[1].capacity.desired: must be a number, got the string "4" (write the number without quotes)',
      ]);
    });

    it('rejects an unknown resource type and lists the valid ones', () => {
      expect(
        problemsAfter((p) => {
          p.resources[0].type = 'magic';
        }),
      ).toEqual([
        'resources[0].type: must be one of "rds-read-replica", "rds-snapshot-restore", "aurora-global-database", "dynamodb-global-table", "auto-scaling-group", "route53-records", "route53-weighted", "arc-routing-control", "route53-health-check-failover", "lambda-hook"',
      ]);
    });

    it('rejects a field of another resource type as unknown', () => {
      expect(
        problemsAfter((p) => {
          p.resources[1].replicaInstanceId = 'x';
        }),
      ).toEqual(['resources[1]: unknown field "replicaInstanceId": remove it or check the spelling']);
    });

    it('rejects a resource id that is not a short slug, and one with "_" (ids become JSONPath keys)', () => {
      expect(
        problemsAfter((p) => {
          p.resources[1].id = 'web_tier';
        }),
      ).toEqual([
        'resources[1].id: must start with a lowercase letter and use only a-z, 0-9 and "-" (at most 24 characters)',
      ]);
      expect(
        problemsAfter((p) => {
          p.resources[1].id = `w${'e'.repeat(24)}`;
        }),
      ).toEqual([
        'resources[1].id: must start with a lowercase letter and use only a-z, 0-9 and "-" (at most 24 characters)',
      ]);
    });

    it('rejects a malformed region code in one line', () => {
      expect(
        problemsAfter((p) => {
          p.regions.primary = 'US East';
        }),
      ).toEqual(['regions.primary: must be an AWS Region code such as "us-east-1"']);
    });

    it('rejects a region that is shaped right but not in plan/regions.ts', () => {
      expect(
        problemsAfter((p) => {
          p.regions.recovery = 'us-east-3';
        }),
      ).toEqual([
        'regions.recovery: "us-east-3" is not an AWS Region: use a Region code such as "us-east-1" (known Regions: plan/regions.ts)',
      ]);
      expect(
        problemsAfter((p) => {
          p.triggers.alarms[0].region = 'eu-moon-1';
        }),
      ).toEqual([
        'triggers.alarms[0].region: "eu-moon-1" is not an AWS Region: use a Region code such as "us-east-1" (known Regions: plan/regions.ts)',
      ]);
    });

    it('rejects a recovery region equal to the primary region', () => {
      const problems = problemsAfter((p) => {
        p.regions.recovery = 'us-east-1';
      });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^regions\.recovery: must differ from regions\.primary \("us-east-1"\)/);
    });

    it('rejects tag keys starting with "aws:", in any case, in plan tags and AMI tags', () => {
      expect(
        problemsAfter((p) => {
          p.tags['aws:cost-center'] = 'x';
        }),
      ).toEqual([
        'tags.aws:cost-center: tag keys starting with "aws:" are reserved for AWS: choose another key',
      ]);
      expect(
        problemsAfter((p) => {
          p.resources[1].ami.tags['AWS:role'] = 'web';
        }),
      ).toEqual([
        'resources[1].ami.tags.AWS:role: tag keys starting with "aws:" are reserved for AWS: choose another key',
      ]);
    });

    it('rejects tag keys longer than 128 characters and more tags than AWS allows', () => {
      expect(
        problemsAfter((p) => {
          p.tags['k'.repeat(129)] = 'x';
        }),
      ).toEqual([`tags.${'k'.repeat(129)}: tag keys are 1-128 characters: shorten the key`]);
      expect(
        problemsAfter((p) => {
          p.tags = Object.fromEntries(Array.from({ length: 41 }, (_, i) => [`t${i}`, 'v']));
        }),
      ).toEqual(['tags: has 41 tags, more than 40: remove some']);
    });

    it.each([
      'CET', // legacy alias, not an Area/Location name
      'Berlin',
      'Europe/Atlantis',
      '+02:00',
    ])('rejects the time zone %s, naming an IANA one to use', (zone) => {
      expect(
        problemsAfter((p) => {
          p.schedules.gameDay.timezone = zone;
        }),
      ).toEqual([
        `schedules.gameDay.timezone: "${zone}" is not an IANA time zone: use a name such as "Europe/Berlin" or "UTC"`,
      ]);
    });

    it('accepts IANA time zones of several levels, and UTC', () => {
      for (const zone of ['UTC', 'America/Argentina/Buenos_Aires', 'Etc/GMT+2', 'Asia/Kolkata']) {
        expect(isIanaTimeZone(zone)).toBe(true);
      }
      expect(
        problemsAfter((p) => {
          p.schedules.readinessCheck.timezone = 'America/Argentina/Buenos_Aires';
        }),
      ).toEqual([]);
    });

    it('rejects misspelled fields instead of ignoring them', () => {
      expect(
        problemsAfter((p) => {
          p.objectives.rtoMinute = 5;
        }),
      ).toEqual(['objectives: unknown field "rtoMinute": remove it or check the spelling']);
    });

    it('reports a missing required field as required', () => {
      expect(
        problemsAfter((p) => {
          delete p.objectives.rpoSeconds;
        }),
      ).toEqual(['objectives.rpoSeconds: is required: add a number']);
    });

    it('rejects a plan without resources, and the v1 sections by name', () => {
      expect(
        problemsAfter((p) => {
          p.resources = [];
        }),
      ).toEqual(['resources: needs at least 1 item']);
      expect(
        problemsAfter((p) => {
          p.database = { strategy: 'promote-read-replica' };
        }),
      ).toEqual(['(plan): unknown field "database": remove it or check the spelling']);
    });

    it('rejects a name that cannot be used in AWS resource names', () => {
      const problems = problemsAfter((p) => {
        p.name = 'Shop_Prod';
      });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^name: must start with a lowercase letter/);
    });

    it('rejects an invalid schedule expression with an example of a valid one', () => {
      expect(
        problemsAfter((p) => {
          p.schedules.gameDay.expression = '0 10 * * 2';
        }),
      ).toEqual([
        'schedules.gameDay.expression: must be an EventBridge Scheduler expression such as "cron(0 10 ? * TUE *)" or "rate(1 day)"',
      ]);
    });

    it('rejects an alias target without its hosted zone', () => {
      expect(
        problemsAfter((p) => {
          p.resources[2].records[0].recoveryTarget = { alias: { dnsName: 'lb.example.com' } };
        }),
      ).toEqual(['resources[2].records[0].recoveryTarget.alias.hostedZoneId: is required: add a string']);
    });

    it('rejects a plan that configures no verification, naming both ways to add one', () => {
      const problems = problemsAfter((p) => {
        delete p.verification;
      });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^verification: configures no check: add "http" .* or "alarmName"/);
    });

    it('accepts a plan verified by its application alarm alone, or by its HTTP probe alone', () => {
      expect(
        problemsAfter((p) => {
          delete p.verification.http;
        }),
      ).toEqual([]);
      expect(
        problemsAfter((p) => {
          delete p.verification.alarmName;
        }),
      ).toEqual([]);
    });

    it('rejects an alarmInsufficientDataIsOk that is not a boolean', () => {
      expect(
        problemsAfter((p) => {
          p.verification.alarmInsufficientDataIsOk = 'yes';
        }),
      ).toEqual(['verification.alarmInsufficientDataIsOk: must be a boolean, got the string "yes"']);
    });

    it('reports every problem at once', () => {
      const problems = problemsAfter((p) => {
        p.resources[1].capacity.desired = 'four';
        p.objectives.rtoMinutes = -1;
        p.notifications.emails = ['not-an-email'];
      });
      expect(problems.map((line) => line.split(':')[0])).toEqual([
        'objectives.rtoMinutes',
        'resources[1].capacity.desired',
        'notifications.emails[0]',
      ]);
    });
  });

  describe('planSchema: resource ids and steps', () => {
    it('rejects a duplicate resource id in one line naming resources[i].id and the first owner', () => {
      expect(
        problemsAfter((p) => {
          p.resources[2].id = 'web';
        }),
      ).toEqual(['resources[2].id: "web" is already the id of resources[1]: give each resource its own id']);
    });

    it('rejects an unknown id in steps in one line naming steps[i].resources[k] and the known ids', () => {
      expect(
        problemsAfter((p) => {
          p.steps[1].resources.push('cache');
        }, 'multi-tier'),
      ).toEqual([
        'steps[1].resources[2]: "cache" is not a resource id: use one of "orders-db", "inventory", "sessions", "web", "workers", "flush-cache", "dns"',
      ]);
    });

    it('names both halves of a misspelled id: the unknown id, and the resource it left in no step', () => {
      expect(
        problemsAfter((p) => {
          p.steps[1].resources[1] = 'worker';
        }, 'multi-tier'),
      ).toEqual([
        'steps[1].resources[1]: "worker" is not a resource id: use one of "orders-db", "inventory", "sessions", "web", "workers", "flush-cache", "dns"',
        'resources[4]: "workers" is in no step: add it to one of "steps" (or leave "steps" out for the default order)',
      ]);
    });

    it('rejects a resource in no step, naming the resource', () => {
      expect(
        problemsAfter((p) => {
          p.steps[1].resources = ['web'];
        }, 'multi-tier'),
      ).toEqual([
        'resources[4]: "workers" is in no step: add it to one of "steps" (or leave "steps" out for the default order)',
      ]);
    });

    it('rejects a resource in two steps, naming the step it is already in', () => {
      expect(
        problemsAfter((p) => {
          p.steps[2].resources.push('web');
        }, 'multi-tier'),
      ).toEqual([
        'steps[2].resources[1]: "web" is already in steps[1]: each resource runs in exactly one step',
      ]);
    });

    it('rejects the same id twice in one step', () => {
      expect(
        problemsAfter((p) => {
          p.steps[1].resources.push('web');
        }, 'multi-tier'),
      ).toEqual([
        'steps[1].resources[2]: "web" is already in steps[1]: each resource runs in exactly one step',
      ]);
    });

    it('rejects a traffic step before a database step, naming steps[0] and what it would outrun', () => {
      expect(
        problemsAfter((p) => {
          p.steps = [{ resources: ['dns'] }, { resources: ['db', 'web'] }];
        }),
      ).toEqual([
        'steps[0]: moves traffic ("dns") before database "db" (in the later steps[1]) has recovered: put traffic resources in a step after every database and compute resource',
      ]);
    });

    it('rejects a traffic step before a compute step', () => {
      expect(
        problemsAfter((p) => {
          p.steps = [{ resources: ['db'] }, { resources: ['dns'] }, { resources: ['web'] }];
        }),
      ).toEqual([
        'steps[1]: moves traffic ("dns") before compute "web" (in the later steps[2]) has recovered: put traffic resources in a step after every database and compute resource',
      ]);
    });

    it('rejects traffic in the same step as a database or compute resource', () => {
      expect(
        problemsAfter((p) => {
          p.steps = [{ resources: ['db', 'web', 'dns'] }];
        }),
      ).toEqual([
        'steps[0]: moves traffic ("dns") before database "db" (in the same step) has recovered: put traffic resources in a step after every database and compute resource',
      ]);
    });

    it('lets a hook run after traffic, and an approval step stand anywhere', () => {
      expect(
        problemsAfter((p) => {
          p.steps = [
            { resources: ['orders-db', 'inventory', 'sessions', 'web', 'workers'] },
            { approval: { when: 'alarm-triggered' } },
            { resources: ['dns'] },
            { resources: ['flush-cache'] },
          ];
        }, 'multi-tier'),
      ).toEqual([]);
    });

    it('rejects two steps of the same name', () => {
      expect(
        problemsAfter((p) => {
          p.steps[1].name = 'data';
        }, 'multi-tier'),
      ).toEqual(['steps[1].name: "data" is already the name of steps[0]: name each step differently']);
    });

    it('rejects a step with both resources and an approval', () => {
      expect(
        problemsAfter((p) => {
          p.steps[0].resources = ['db'];
          p.steps[1].resources = ['app'];
        }, 'backup-restore'),
      ).toEqual([
        'steps[0]: set exactly one of "resources" (ids that run side by side) or "approval" ({"when": "always"}: failovers wait for a person)',
      ]);
    });

    it('rejects a step with neither resources nor an approval', () => {
      expect(
        problemsAfter((p) => {
          p.steps[0] = { name: 'approve' };
        }, 'backup-restore'),
      ).toEqual([
        'steps[0]: set exactly one of "resources" (ids that run side by side) or "approval" ({"when": "always"}: failovers wait for a person)',
      ]);
    });

    it('rejects an approval that waits for no one, or too long', () => {
      expect(
        problemsAfter((p) => {
          p.steps[0].approval = { when: 'never', timeoutMinutes: 24 * 60 + 1 };
        }, 'backup-restore'),
      ).toEqual([
        'steps[0].approval.when: must be one of "always", "alarm-triggered", got the string "never"',
        'steps[0].approval.timeoutMinutes: must be at most 1440, got number 1441',
      ]);
    });

    it('rejects more steps than the cap, counting them', () => {
      expect(
        problemsAfter((p) => {
          p.steps = [
            { resources: ['db', 'web'] },
            ...Array.from({ length: 11 }, () => ({ approval: {} })),
            { resources: ['dns'] },
          ];
        }),
      ).toEqual(['steps: has 13 items, at most 12: remove 1']);
    });
  });

  describe('planSchema: resource rules', () => {
    it('rejects min above desired above max, naming both fields', () => {
      expect(
        problemsAfter((p) => {
          p.resources[1].capacity = { min: 5, desired: 4, max: 3 };
        }),
      ).toEqual([
        'resources[1].capacity.min: 5 is more than desired (4): set min ≤ desired ≤ max',
        'resources[1].capacity.desired: 4 is more than max (3): set min ≤ desired ≤ max',
      ]);
    });

    it('rejects desired above max alone', () => {
      expect(
        problemsAfter((p) => {
          p.resources[1].capacity.desired = 9;
        }),
      ).toEqual(['resources[1].capacity.desired: 9 is more than max (8): set min ≤ desired ≤ max']);
    });

    it('rejects a capacity beyond what one Auto Scaling group holds (10,000)', () => {
      expect(
        problemsAfter((p) => {
          p.resources[1].capacity.max = 10_001;
        }),
      ).toEqual(['resources[1].capacity.max: must be at most 10000, got number 10001']);
      expect(
        problemsAfter((p) => {
          p.resources[1].capacity = { min: 10_001, desired: 10_000, max: 10_000 };
        }),
      ).toEqual([
        'resources[1].capacity.min: must be at most 10000, got number 10001',
        'resources[1].capacity.min: 10001 is more than desired (10000): set min ≤ desired ≤ max',
      ]);
    });

    it('rejects a replica that is the primary itself', () => {
      expect(
        problemsAfter((p) => {
          p.resources[0].replicaInstanceId = 'shop-db';
        }),
      ).toEqual([
        'resources[0].replicaInstanceId: must differ from primaryInstanceId: name the read replica in the recovery region',
      ]);
    });

    it('rejects a lambda-hook in the primary region, naming the region to deploy it in', () => {
      expect(
        problemsAfter((p) => {
          p.resources[5].functionArn = 'arn:aws:lambda:us-east-1:123456789012:function:market-flush-cache';
        }, 'multi-tier'),
      ).toEqual([
        'resources[5].functionArn: is in the primary region us-east-1: a failover cannot depend on the failed region; deploy the hook in us-west-2',
      ]);
    });

    it('rejects a lambda-hook whose functionArn is not a Lambda ARN', () => {
      expect(
        problemsAfter((p) => {
          p.resources[5].functionArn = 'market-flush-cache';
        }, 'multi-tier'),
      ).toEqual([
        'resources[5].functionArn: must be a Lambda function ARN such as "arn:aws:lambda:us-west-2:123456789012:function:flush-cache"',
      ]);
    });

    it('rejects two resources on the same Auto Scaling group', () => {
      expect(
        problemsAfter((p) => {
          p.resources[4].autoScalingGroupName = 'market-web-standby';
        }, 'multi-tier'),
      ).toEqual([
        'resources[4].autoScalingGroupName: group "market-web-standby" is already used by resource "web": one resource per group',
      ]);
    });

    it('rejects two resources on the same replica, and a restore into a replica another resource promotes', () => {
      const second = (extra: Record<string, unknown>) => (p: EditablePlan) => {
        p.resources.push({ id: 'db2', ...extra });
        p.steps[0].resources.push('db2');
      };
      expect(
        problemsAfter(
          second({
            type: 'rds-read-replica',
            primaryInstanceId: 'other-primary',
            replicaInstanceId: 'market-orders-replica',
          }),
          'multi-tier',
        ),
      ).toEqual([
        'resources[7].replicaInstanceId: instance "market-orders-replica" is already used by resource "orders-db": one resource per instance',
      ]);
      expect(
        problemsAfter(
          second({
            type: 'rds-snapshot-restore',
            sourceInstanceId: 'market-orders',
            restoredInstanceId: 'market-orders-replica',
          }),
          'multi-tier',
        ),
      ).toEqual([
        'resources[7].restoredInstanceId: instance "market-orders-replica" is already used by resource "orders-db": one resource per instance',
      ]);
    });

    it('rejects two resources on the same DynamoDB table', () => {
      expect(
        problemsAfter((p) => {
          p.resources.push({ id: 'sessions-2', type: 'dynamodb-global-table', tableName: 'market-sessions' });
          p.steps[0].resources.push('sessions-2');
        }, 'multi-tier'),
      ).toEqual([
        'resources[7].tableName: table "market-sessions" is already used by resource "sessions": one resource per table',
      ]);
    });

    it('rejects two resources on the same Aurora global cluster', () => {
      expect(
        problemsAfter((p) => {
          p.resources.push({
            id: 'inventory-2',
            type: 'aurora-global-database',
            globalClusterId: 'market-inventory',
            secondaryClusterId: 'market-inventory-west-2',
          });
          p.steps[0].resources.push('inventory-2');
        }, 'multi-tier'),
      ).toEqual([
        'resources[7].globalClusterId: global cluster "market-inventory" is already used by resource "inventory": one resource per global cluster',
      ]);
    });

    it('accepts several resources of one type acting on different AWS resources', () => {
      expect(
        problemsAfter((p) => {
          p.resources.push(group('admin'), group('batch'));
        }),
      ).toEqual([]);
    });
  });

  describe('planSchema: records', () => {
    it('rejects record names outside the hosted zone', () => {
      expect(
        problemsAfter((p) => {
          p.resources[2].records[1].name = 'api.other.com';
        }),
      ).toEqual([
        'resources[2].records[1].name: "api.other.com" is outside the hosted zone "shop.example.com": use a name ending in ".shop.example.com"',
      ]);
    });

    it('rejects a name that only ends like the zone (apishop.example.com is not in shop.example.com)', () => {
      expect(
        problemsAfter((p) => {
          p.resources[2].records[1].name = 'apishop.example.com';
        }),
      ).toEqual([
        'resources[2].records[1].name: "apishop.example.com" is outside the hosted zone "shop.example.com": use a name ending in ".shop.example.com"',
      ]);
    });

    it('rejects a drill record outside the hosted zone', () => {
      expect(
        problemsAfter((p) => {
          p.resources[2].drillRecordName = 'drill.other.com';
        }),
      ).toEqual([
        'resources[2].drillRecordName: "drill.other.com" is outside the hosted zone "shop.example.com": use a name ending in ".shop.example.com"',
      ]);
    });

    it('rejects the same record name and type twice in one resource', () => {
      expect(
        problemsAfter((p) => {
          p.resources[2].records[1].name = 'www.shop.example.com';
        }),
      ).toEqual([
        'resources[2].records[1]: CNAME www.shop.example.com is already in dns.records[0]: list each record once',
      ]);
    });

    it('accepts one name with two record types (A and AAAA)', () => {
      expect(
        problemsAfter((p) => {
          p.resources[2].records = [
            { name: 'www.shop.example.com', type: 'A', recoveryTarget: { value: '192.0.2.1' } },
            { name: 'www.shop.example.com', type: 'AAAA', recoveryTarget: { value: '2001:db8::1' } },
          ];
        }),
      ).toEqual([]);
    });

    it('rejects the same record name and type in two traffic resources', () => {
      expect(
        problemsAfter((p) => {
          const other = trafficIn('dns-2', 1);
          other.records[0] = {
            ...(other.records[0] as (typeof other.records)[0]),
            name: 'api.shop.example.com',
          };
          p.resources.push(other);
        }),
      ).toEqual([
        'resources[3].records[0]: CNAME api.shop.example.com is already in dns.records[1]: list each record once',
      ]);
    });

    it('rejects a drill record that is a production record, suggesting a name of its own', () => {
      expect(
        problemsAfter((p) => {
          p.resources[2].drillRecordName = 'www.shop.example.com';
        }),
      ).toEqual([
        'resources[2].drillRecordName: "www.shop.example.com" is a production record: drills must write a name of their own, e.g. "drill.shop.example.com"',
      ]);
    });

    it("rejects a drill record that is another traffic resource's production record", () => {
      expect(
        problemsAfter((p) => {
          const other = trafficIn('dns-2', 1);
          other.drillRecordName = 'api.shop.example.com';
          p.resources.push(other);
        }),
      ).toEqual([
        'resources[3].drillRecordName: "api.shop.example.com" is a production record: drills must write a name of their own, e.g. "drill.shop.example.com"',
      ]);
    });

    it('rejects two traffic resources sharing a drill record', () => {
      expect(
        problemsAfter((p) => {
          const other = trafficIn('dns-2', 1);
          other.drillRecordName = 'drill.shop.example.com';
          p.resources.push(other);
        }),
      ).toEqual([
        'resources[3].drillRecordName: "drill.shop.example.com" is already the drill record of "dns": give each traffic resource its own',
      ]);
    });
  });

  describe('planSchema: route53-health-check-failover', () => {
    const pair = (p: EditablePlan) => p.resources[2] as EditablePlan;
    const drillOf = (p: EditablePlan) => pair(p).drill as EditablePlan;
    const alarmOf = (o: EditablePlan) => o.alarm as EditablePlan;

    it('accepts the example (us-east-1 primary), and one without a drill pair', () => {
      expect(problemsAfter(() => undefined, 'health-check-failover')).toEqual([]);
      expect(examplePlanInput('health-check-failover').regions.primary).toBe('us-east-1');
      expect(problemsAfter((p) => delete pair(p).drill, 'health-check-failover')).toEqual([]);
    });

    it("refuses a drill pair that shares production's name, health check, alarm or metric", () => {
      expect(
        problemsAfter((p) => {
          drillOf(p).recordName = pair(p).recordName;
          drillOf(p).healthCheckId = pair(p).healthCheckId;
        }, 'health-check-failover'),
      ).toEqual(
        expect.arrayContaining([
          'resources[2].drill.recordName: must differ from recordName: a drill never steers production traffic',
          "resources[2].drill.healthCheckId: must differ from healthCheckId: the drill pair's health check is its own",
        ]),
      );
      expect(
        problemsAfter((p) => {
          alarmOf(drillOf(p)).dimensions = { plan: 'orders', pair: 'production' };
        }, 'health-check-failover'),
      ).toEqual([
        'resources[2].drill.alarm: watches the same metric as alarm (namespace, metricName and dimensions): publishing it in a drill would trip production; give the drill metric its own name or dimension',
      ]);
      expect(
        problemsAfter((p) => {
          alarmOf(drillOf(p)).alarmName = alarmOf(pair(p)).alarmName;
        }, 'health-check-failover'),
      ).toEqual(
        expect.arrayContaining([
          'resources[2].drill.alarm.alarmName: must differ from alarm.alarmName: a drill never trips the production alarm',
        ]),
      );
    });

    it('refuses an AWS/ namespace and a health check id that is not one', () => {
      expect(
        problemsAfter((p) => {
          alarmOf(pair(p)).namespace = 'AWS/EC2';
          pair(p).healthCheckId = 'hc-1';
        }, 'health-check-failover'),
      ).toEqual([
        'resources[2].healthCheckId: must be a Route 53 health check ID such as "abcdef01-2345-6789-abcd-ef0123456789"',
        'resources[2].alarm.namespace: must be a namespace of your own: PutMetricData refuses namespaces that start with "AWS/"',
      ]);
    });

    it('refuses a drill name that another traffic resource already drills with', () => {
      expect(
        problemsAfter((p) => {
          const second = structuredClone(pair(p));
          second.id = 'dns-two';
          second.recordName = 'www.orders.example.com';
          second.healthCheckId = '0a0e0001-0000-4000-8000-0000000000e2';
          alarmOf(second).alarmName = 'second-switch';
          alarmOf(second).dimensions = { plan: 'orders', pair: 'www' };
          const secondDrill = second.drill as EditablePlan;
          alarmOf(secondDrill).alarmName = 'second-drill';
          alarmOf(secondDrill).dimensions = { plan: 'orders', pair: 'www-drill' };
          secondDrill.healthCheckId = '0a0e0001-0000-4000-8000-0000000000d2';
          (p.resources as EditablePlan[]).push(second);
        }, 'health-check-failover'),
      ).toEqual([
        'resources[3].drill.recordName: "drill.orders.example.com" is already the drill record of "dns": give each traffic resource its own',
      ]);
    });
  });

  describe('planSchema: arc-routing-control', () => {
    const arc = (p: EditablePlan) => p.resources[2] as EditablePlan;

    it('accepts the example, and a plan without a drill routing control (its drills run readiness only)', () => {
      expect(problemsAfter(() => undefined, 'arc-routing-control')).toEqual([]);
      expect(
        problemsAfter((p) => {
          delete arc(p).drillRoutingControlArn;
          delete arc(p).drillRecordName;
        }, 'arc-routing-control'),
      ).toEqual([]);
    });

    it('rejects a drill routing control without the name it steers, and the same control in two roles', () => {
      expect(problemsAfter((p) => delete arc(p).drillRecordName, 'arc-routing-control')).toEqual([
        'resources[2].drillRoutingControlArn: set drillRoutingControlArn and drillRecordName together (the drill control and the name it steers), or neither (a drill then only runs readiness)',
      ]);
      expect(
        problemsAfter((p) => {
          arc(p).drillRoutingControlArn = arc(p).primaryRoutingControlArn;
        }, 'arc-routing-control'),
      ).toEqual([
        'resources[2].drillRoutingControlArn: is the same routing control as primaryRoutingControlArn: each role needs its own',
      ]);
    });

    it('rejects endpoints all in the primary region, a listed endpoint twice, and a bad ARN, naming the field', () => {
      expect(
        problemsAfter((p) => {
          arc(p).clusterEndpoints = [{ region: 'us-east-1', url: 'https://host-a.us-east-1.example/v1' }];
        }, 'arc-routing-control'),
      ).toEqual([
        "resources[2].clusterEndpoints: are all in the primary region us-east-1: list the cluster's endpoints in other regions too (DescribeCluster lists five), so that a failover reaches one",
      ]);
      expect(
        problemsAfter((p) => {
          arc(p).clusterEndpoints[4] = { ...arc(p).clusterEndpoints[0] };
        }, 'arc-routing-control')[0],
      ).toMatch(
        /^resources\[2\]\.clusterEndpoints\[4\]\.url: ".*" is listed twice: list each endpoint once$/,
      );
      expect(
        problemsAfter((p) => {
          arc(p).recoveryRoutingControlArn =
            'arn:aws:route53-recovery-control::123456789012:routingcontrol/x';
        }, 'arc-routing-control')[0],
      ).toMatch(/^resources\[2\]\.recoveryRoutingControlArn: must be an ARC routing control ARN/);
    });

    it('rejects a name another traffic resource moves, and a drill name that is production', () => {
      expect(
        problemsAfter((p) => {
          p.resources.push({
            ...structuredClone(arc(p)),
            id: 'cells-2',
            drillRecordName: 'drill2.payments.example.com',
            primaryRoutingControlArn: arc(p).primaryRoutingControlArn.replace('e1', 'f1'),
            recoveryRoutingControlArn: arc(p).recoveryRoutingControlArn.replace('e2', 'f2'),
            drillRoutingControlArn: arc(p).drillRoutingControlArn.replace('d1', 'f3'),
          });
        }, 'arc-routing-control'),
      ).toEqual([
        'resources[3].recordName: "api.payments.example.com" is already moved by resources[2]: one traffic resource per name',
      ]);
      expect(
        problemsAfter((p) => {
          arc(p).drillRecordName = arc(p).recordName;
        }, 'arc-routing-control'),
      ).toContain(
        'resources[2].drillRecordName: must differ from recordName: a drill never steers production traffic',
      );
    });
  });

  describe('planSchema: caps that keep a plan inside every limit it meets', () => {
    it(`accepts ${MAX_RESOURCES} resources and rejects one more, saying how to split the plan`, () => {
      const fill = (count: number) => (p: EditablePlan) => {
        for (let i = p.resources.length; i < count; i++) p.resources.push(group(`g${i}`));
      };
      expect(problemsAfter(fill(MAX_RESOURCES))).toEqual([]);
      expect(problemsAfter(fill(MAX_RESOURCES + 1))).toEqual([
        `resources: has ${MAX_RESOURCES + 1} resources, more than ${MAX_RESOURCES}: each is a branch of the run and widens its family's IAM policy; split the application into two plans`,
      ]);
    });

    it(`accepts ${MAX_RECORDS_PER_RESOURCE} records in one traffic resource and rejects one more`, () => {
      const records = (count: number) => (p: EditablePlan) => {
        p.resources[2] = { ...trafficIn('dns', count), drillRecordName: 'drill.shop.example.com' };
      };
      expect(problemsAfter(records(MAX_RECORDS_PER_RESOURCE))).toEqual([]);
      expect(problemsAfter(records(MAX_RECORDS_PER_RESOURCE + 1))).toEqual([
        `resources[2].records: has ${MAX_RECORDS_PER_RESOURCE + 1} records, more than ${MAX_RECORDS_PER_RESOURCE}: one traffic resource changes its records in one Route 53 change batch; move some to another traffic resource`,
      ]);
    });

    it(`accepts ${MAX_TOTAL_RECORDS} records across traffic resources and rejects more`, () => {
      const spread = (perResource: number[]) => (p: EditablePlan) => {
        p.resources.splice(2, 1);
        perResource.forEach((count, i) => {
          p.resources.push(trafficIn(`dns-${i}`, count));
        });
      };
      expect(problemsAfter(spread([10, 10, 10, 10]))).toEqual([]);
      expect(problemsAfter(spread([10, 10, 10, 10, 1]))).toEqual([
        `resources: name 41 records across traffic resources, more than ${MAX_TOTAL_RECORDS}: the traffic role's policy lists each one; split the application into two plans`,
      ]);
    });

    it(`rejects a plan whose JSON is bigger than ${MAX_PLAN_BYTES / 1024} KiB, saying what to shorten`, () => {
      // Every text is bounded, so only many long tags get there: 10 AMI tags of 128 + 256 characters.
      const longTags = (i: number) =>
        Object.fromEntries(
          Array.from({ length: 10 }, (_, t) => [`${i}-${t}-`.padEnd(128, 'k'), 'v'.repeat(256)]),
        );
      const problems = problemsAfter((p) => {
        p.resources.splice(1, 1);
        for (let i = 0; i < MAX_RESOURCES - 2; i++) p.resources.push(group(`g${i}`, `grp-${i}`, longTags(i)));
      });
      expect(problems).toEqual([
        expect.stringMatching(
          /^\(plan\): is 5\d KiB, more than 48 KiB: it travels in every step of the run \(Step Functions allows 256 KiB of state\); shorten descriptions or split the application into two plans$/,
        ),
      ]);
    });
  });
});
