import { readdirSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { parsePlan } from '../../../plan/load.ts';
import { planSchema } from '../../../plan/schema.ts';
import { examplePlanInput, examplesDir } from '../../fixtures.ts';

// biome-ignore lint/suspicious/noExplicitAny: tests write deliberately wrong JSON into any field
type EditablePlan = Record<string, any>;

/** Problems reported for the warm-standby example after `edit`. */
function problemsAfter(edit: (plan: EditablePlan) => void): string[] {
  const input = structuredClone(examplePlanInput()) as EditablePlan;
  edit(input);
  const result = parsePlan(input);
  return result.ok ? [] : result.problems;
}

describe('plan examples', () => {
  const examples = readdirSync(examplesDir).filter((f) => f.endsWith('.json'));

  it('ships the four DR patterns', () => {
    expect(examples.sort()).toEqual([
      'active-active.json',
      'backup-restore.json',
      'pilot-light.json',
      'warm-standby.json',
    ]);
  });

  it.each(examples)('%s is a valid plan', (file) => {
    const result = parsePlan(examplePlanInput(file.replace(/\.json$/, '')));
    expect(result).toMatchObject({ ok: true });
  });
});

describe('planSchema defaults', () => {
  it('fills in what a user would expect when optional fields are left out', () => {
    const input = examplePlanInput('pilot-light');
    const plan = planSchema.parse(input);
    expect(plan.triggers.cooldownMinutes).toBe(60);
    expect(plan.triggers.onApprovalTimeout).toBe('abort');
    expect(plan.compute.strategy === 'scale-standby' && plan.compute.ami.owners).toEqual(['self']);
    expect(plan.traffic.strategy === 'upsert-records' && plan.traffic.records[0]?.ttlSeconds).toBe(60);
    expect(plan.database.strategy === 'promote-read-replica' && plan.database.backupRetentionDays).toBe(7);
    expect(plan.schedules.gameDay?.timezone).toBe('Europe/Dublin');
    expect(plan.tags).toEqual({});
    expect(plan.verification.alarmInsufficientDataIsOk).toBe(false);
  });

  it('normalises DNS names to lowercase without the trailing dot', () => {
    const input = examplePlanInput();
    (input.traffic as { hostedZoneName: string }).hostedZoneName = 'Shop.Example.COM.';
    const plan = planSchema.parse(input);
    expect(plan.traffic.hostedZoneName).toBe('shop.example.com');
  });
});

describe('planSchema problems name the field and the fix', () => {
  it('rejects a capacity given as a string', () => {
    const problems = problemsAfter((p) => {
      p.compute.capacity.desired = '4';
    });
    expect(problems).toEqual([
      'compute.capacity.desired: must be a number, got the string "4" (write the number without quotes)',
    ]);
  });

  it('rejects desired above max', () => {
    const problems = problemsAfter((p) => {
      p.compute.capacity.desired = 9;
    });
    expect(problems).toEqual(['compute.capacity.desired: 9 is more than max (8): set min ≤ desired ≤ max']);
  });

  it('rejects min above desired', () => {
    expect(
      problemsAfter((p) => {
        p.compute.capacity.min = 5;
      }),
    ).toEqual(['compute.capacity.min: 5 is more than desired (4): set min ≤ desired ≤ max']);
  });

  it('rejects a recovery region equal to the primary region', () => {
    const problems = problemsAfter((p) => {
      p.regions.recovery = 'us-east-1';
    });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^regions\.recovery: must differ from regions\.primary \("us-east-1"\)/);
  });

  it('rejects a malformed region code', () => {
    expect(
      problemsAfter((p) => {
        p.regions.primary = 'US East';
      }),
    ).toEqual(['regions.primary: must be an AWS region code such as "us-east-1"']);
  });

  it('rejects record names outside the hosted zone', () => {
    const problems = problemsAfter((p) => {
      p.traffic.records[1].name = 'api.other.com';
    });
    expect(problems).toEqual([
      'traffic.records[1].name: "api.other.com" is outside the hosted zone "shop.example.com": use a name ending in ".shop.example.com"',
    ]);
  });

  it('rejects a drill record that is a production record', () => {
    const problems = problemsAfter((p) => {
      p.traffic.drillRecordName = 'www.shop.example.com';
    });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /^traffic\.drillRecordName: "www\.shop\.example\.com" is a production record/,
    );
  });

  it('rejects a replica that is the primary itself', () => {
    const problems = problemsAfter((p) => {
      p.database.replicaInstanceId = 'shop-db';
    });
    expect(problems).toEqual([
      'database.replicaInstanceId: must differ from database.primaryInstanceId: name the read replica in the recovery region',
    ]);
  });

  it('rejects an unknown strategy and lists the valid ones', () => {
    expect(
      problemsAfter((p) => {
        p.database.strategy = 'magic';
      }),
    ).toEqual([
      'database.strategy: must be one of "promote-read-replica", "restore-latest-snapshot", "none"',
    ]);
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

  it('rejects a name that cannot be used in AWS resource names', () => {
    const problems = problemsAfter((p) => {
      p.name = 'Shop_Prod';
    });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^name: must start with a lowercase letter/);
  });

  it('rejects an invalid schedule expression with an example of a valid one', () => {
    const problems = problemsAfter((p) => {
      p.schedules.gameDay.expression = '0 10 * * 2';
    });
    expect(problems).toEqual([
      'schedules.gameDay.expression: must be an EventBridge Scheduler expression such as "cron(0 10 ? * TUE *)" or "rate(1 day)"',
    ]);
  });

  it('rejects an alias target without its hosted zone', () => {
    const problems = problemsAfter((p) => {
      p.traffic.records[0].recoveryTarget = { alias: { dnsName: 'lb.example.com' } };
    });
    expect(problems).toEqual([
      'traffic.records[0].recoveryTarget.alias.hostedZoneId: is required: add a string',
    ]);
  });

  it('rejects a plan that moves traffic but configures no verification, naming both ways to add one', () => {
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
      p.compute.capacity.desired = 'four';
      p.objectives.rtoMinutes = -1;
      p.notifications.emails = ['not-an-email'];
    });
    expect(problems.map((line) => line.split(':')[0])).toEqual([
      'objectives.rtoMinutes',
      'compute.capacity.desired',
      'notifications.emails[0]',
    ]);
  });
});
