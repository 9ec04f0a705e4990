// The biggest plans (test/fixtures-biggest-plan.ts) are accepted, and are the biggest: one more
// character in any name the IAM policies repeat, one more resource, record or step, is rejected.
import { describe, expect, it } from '@jest/globals';
import { MAX_RECORDS_PER_RESOURCE } from '../../plan/resources/traffic.ts';
import { MAX_RESOURCES, MAX_STEPS, MAX_TOTAL_RECORDS, planSchema } from '../../plan/schema.ts';
import {
  BIGGEST_PLAN_KINDS,
  type BiggestPlanKind,
  biggestPlan,
  biggestPlanInput,
} from '../fixtures-biggest-plan.ts';

type Json = Record<string, unknown>;

/** The fields of a resource of each type that its family's policy names, as paths in the resource. */
const POLICY_FIELDS: Record<string, string[]> = {
  'rds-read-replica': ['replicaInstanceId', 'drill.kmsKeyArn'],
  'rds-snapshot-restore': ['restoredInstanceId', 'kmsKeyArn'],
  'aurora-global-database': ['globalClusterId', 'secondaryClusterId'],
  'dynamodb-global-table': ['tableName', 'drill.probeKeyPrefix'],
  'auto-scaling-group': ['autoScalingGroupName'],
  'route53-records': ['hostedZoneId', 'drillRecordName', 'records.0.name'],
  'route53-weighted': ['hostedZoneId', 'drillRecordName', 'records.0.name'],
  'lambda-hook': ['functionArn'],
};

/** The issues of `input` with `change` applied to a copy of it, as "path: message". */
function issuesWith(kind: BiggestPlanKind, change: (input: Json) => void): string[] {
  const input = structuredClone(biggestPlanInput(kind)) as unknown as Json;
  change(input);
  return (planSchema.safeParse(input).error?.issues ?? []).map((i) => `${i.path.join('.')}: ${i.message}`);
}

/** The object holding the last key of `path` in `root`, and that key. */
function parentOf(root: Json, path: string): [Json, string] {
  const keys = path.split('.');
  const last = keys.pop() as string;
  const parent = keys.reduce<Json>((node, key) => node[key] as Json, root);
  return [parent, last];
}

describe.each(BIGGEST_PLAN_KINDS)('the biggest %s plan', (kind) => {
  it('is accepted', () => {
    expect(() => biggestPlan(kind)).not.toThrow();
    expect(biggestPlan(kind).resources).toHaveLength(MAX_RESOURCES);
  });

  it('cannot have one more resource', () => {
    const issues = issuesWith(kind, (input) => {
      const resources = input.resources as Json[];
      resources.push({ ...(resources[0] as Json), id: 'one-more' });
    });

    expect(issues).toContainEqual(
      expect.stringMatching(new RegExp(`^resources: .*more than ${MAX_RESOURCES}`)),
    );
  });

  it('cannot have a longer plan name or resource id', () => {
    expect(issuesWith(kind, (input) => Object.assign(input, { name: `${input.name}b` }))).toContainEqual(
      expect.stringMatching(/^name: /),
    );
    expect(
      issuesWith(kind, (input) => {
        const first = (input.resources as Json[])[0] as Json;
        first.id = `${first.id}z`;
      }),
    ).toContainEqual(expect.stringMatching(/^resources\.0\.id: /));
  });

  it('cannot have a longer name in any field a policy names', () => {
    const resources = biggestPlanInput(kind).resources;
    for (const type of new Set(resources.map((r) => r.type))) {
      const index = resources.findIndex((r) => r.type === type);
      for (const field of POLICY_FIELDS[type] ?? []) {
        const issues = issuesWith(kind, (input) => {
          const [parent, key] = parentOf((input.resources as Json[])[index] as Json, field);
          parent[key] = `${parent[key]}x`;
        });

        expect({ field: `${type} ${field}`, issues }).toEqual({
          field: `${type} ${field}`,
          issues: expect.arrayContaining([
            expect.stringMatching(new RegExp(`^resources\\.${index}\\.${field.replaceAll('.', '\\.')}: `)),
          ]),
        });
      }
    }
  });

  const traffic = biggestPlanInput(kind).resources.findIndex((r) => r.type.startsWith('route53-'));
  if (traffic >= 0) {
    it(`cannot have one more record (${MAX_TOTAL_RECORDS} in all)`, () => {
      const issues = issuesWith(kind, (input) => {
        const records = ((input.resources as Json[])[traffic] as Json).records as Json[];
        records.push({ ...(records[0] as Json), name: `one-more.${(records[0] as Json).name}`.slice(-253) });
      });

      const cap = new RegExp(`more than (${MAX_RECORDS_PER_RESOURCE}|${MAX_TOTAL_RECORDS})\\b`);
      expect(issues.some((issue) => cap.test(issue))).toBe(true);
    });
  }

  if (kind === 'every-type') {
    it(`has ${MAX_STEPS} steps, and cannot have one more or a longer step name`, () => {
      expect(biggestPlan(kind).steps).toHaveLength(MAX_STEPS);
      expect(issuesWith(kind, (input) => (input.steps as Json[]).push({ approval: {} }))).toContainEqual(
        expect.stringMatching(/^steps: /),
      );
      expect(
        issuesWith(kind, (input) => {
          const first = (input.steps as Json[])[0] as Json;
          first.name = `${first.name}s`;
        }),
      ).toContainEqual(expect.stringMatching(/^steps\.0\.name: /));
    });
  }
});
