// The biggest plans (test/fixtures-biggest-plan.ts) are accepted, and are the biggest: one more
// resource, record or step is rejected, and so is one more character in any name the IAM policies
// list (by the field's own limit when it is at its longest, otherwise by its family's IAM budget).
import { describe, expect, it } from '@jest/globals';
import { familyOf } from '../../plan/resources/index.ts';
import { MAX_RECORDS_PER_RESOURCE } from '../../plan/resources/traffic.ts';
import { MAX_RESOURCES, MAX_STEPS, MAX_TOTAL_RECORDS, planSchema } from '../../plan/schema.ts';
import {
  BIGGEST_PLAN_KINDS,
  type BiggestPlanKind,
  biggestPlan,
  biggestPlanInput,
  MAX_LENGTH,
} from '../fixtures-biggest-plan.ts';

describe('biggest-plan', () => {
  type Json = Record<string, unknown>;

  /** A DNS name one character longer, still valid: a label before the zone grows by one. */
  function longerDnsName(name: string, zone: string): string {
    const labels = name.slice(0, -(zone.length + 1)).split('.');
    const short = labels.findIndex((label) => label.length < MAX_LENGTH.dnsLabel);
    if (short < 0) return `a${name}`;
    labels[short] = `a${labels[short]}`;
    return `${labels.join('.')}.${zone}`;
  }

  /** A Lambda function ARN longer by a character of its name, else of its alias (qualifier). */
  function longerFunctionArn(functionArn: string): string {
    const [name = '', qualifier] = functionArn.slice(functionArn.indexOf(':function:') + 10).split(':');
    if (qualifier !== undefined) return `${functionArn}q`;
    return name.length < MAX_LENGTH.lambdaFunctionName ? `${functionArn}h` : `${functionArn}:q`;
  }

  interface PolicyField {
    /** Where the name is in a resource. */
    readonly path: string;
    /** The longest the schema accepts it (a KMS key ARN has one length). */
    readonly max: number;
    /** The name one character longer (as valid as it was), for a resource that holds it. */
    readonly longer: (value: string, resource: Json) => string;
  }

  const append = (character: string) => (value: string) => `${value}${character}`;
  const dns = (value: string, resource: Json) => longerDnsName(value, resource.hostedZoneName as string);
  /** "arn:aws-us-gov:kms:us-gov-west-1:123456789012:key/mrk-" and 32 hex digits. */
  const KMS_KEY_ARN_LENGTH = 'arn:aws-us-gov:kms:us-gov-west-1:123456789012:key/mrk-'.length + 32;
  const FUNCTION_ARN_LENGTH =
    'arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:'.length +
    MAX_LENGTH.lambdaFunctionName +
    1 +
    MAX_LENGTH.lambdaQualifier;

  /** The fields of a resource of each type that its family's policy names. */
  const POLICY_FIELDS: Record<string, PolicyField[]> = {
    'rds-read-replica': [
      { path: 'replicaInstanceId', max: MAX_LENGTH.rdsInstanceId, longer: append('n') },
      // Fencing stops the old primary.
      { path: 'primaryInstanceId', max: MAX_LENGTH.rdsInstanceId, longer: append('n') },
      { path: 'drill.kmsKeyArn', max: KMS_KEY_ARN_LENGTH, longer: append('0') },
    ],
    'rds-snapshot-restore': [
      { path: 'restoredInstanceId', max: MAX_LENGTH.rdsInstanceId, longer: append('n') },
      { path: 'kmsKeyArn', max: KMS_KEY_ARN_LENGTH, longer: append('0') },
    ],
    'aurora-global-database': [
      { path: 'globalClusterId', max: MAX_LENGTH.auroraClusterId, longer: append('n') },
      { path: 'secondaryClusterId', max: MAX_LENGTH.auroraClusterId, longer: append('n') },
    ],
    'dynamodb-global-table': [
      { path: 'tableName', max: MAX_LENGTH.dynamodbTableName, longer: append('n') },
      { path: 'drill.probeKeyPrefix', max: MAX_LENGTH.probeKeyPrefix, longer: append('n') },
    ],
    'auto-scaling-group': [
      { path: 'autoScalingGroupName', max: MAX_LENGTH.autoScalingGroupName, longer: append('n') },
      // Fencing scales the primary region's group to 0.
      { path: 'primaryAutoScalingGroupName', max: MAX_LENGTH.autoScalingGroupName, longer: append('n') },
    ],
    'route53-records': [
      { path: 'hostedZoneId', max: MAX_LENGTH.hostedZoneId, longer: append('Q') },
      { path: 'drillRecordName', max: MAX_LENGTH.dnsName, longer: dns },
      { path: 'records.0.name', max: MAX_LENGTH.dnsName, longer: dns },
    ],
    'route53-weighted': [
      { path: 'hostedZoneId', max: MAX_LENGTH.hostedZoneId, longer: append('Q') },
      { path: 'drillRecordName', max: MAX_LENGTH.dnsName, longer: dns },
      { path: 'records.0.name', max: MAX_LENGTH.dnsName, longer: dns },
    ],
    'lambda-hook': [{ path: 'functionArn', max: FUNCTION_ARN_LENGTH, longer: longerFunctionArn }],
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

    it('cannot have a longer name in any field a policy names: its own limit, or its family budget', () => {
      const resources = biggestPlanInput(kind).resources;
      for (const type of new Set(resources.map((r) => r.type))) {
        const index = resources.findIndex((r) => r.type === type);
        for (const field of POLICY_FIELDS[type] ?? []) {
          const resource = resources[index] as unknown as Json;
          const [parent, key] = parentOf(resource, field.path);
          const value = parent[key];
          if (typeof value !== 'string') continue;
          const longer = field.longer(value, resource);
          const issues = issuesWith(kind, (input) => {
            const [copy, copyKey] = parentOf((input.resources as Json[])[index] as Json, field.path);
            copy[copyKey] = longer;
          });

          // At its longest, the field is refused; shorter, it was as long as the budget allowed.
          const expected =
            value.length >= field.max
              ? `^resources\\.${index}\\.${field.path.replaceAll('.', '\\.')}: `
              : `^resources: the ${familyOf({ type })} resources name \\d+ characters`;
          expect({ field: `${type} ${field.path}`, length: value.length, issues }).toEqual({
            field: `${type} ${field.path}`,
            length: value.length,
            issues: expect.arrayContaining([expect.stringMatching(new RegExp(expected))]),
          });
        }
      }
    });

    const built = biggestPlanInput(kind);
    const traffic = built.resources.findIndex((r) => 'records' in r);
    const recordCount = built.resources.reduce((sum, r) => sum + ('records' in r ? r.records.length : 0), 0);
    if (traffic >= 0 && kind !== 'one-record-each') {
      it(`has ${MAX_TOTAL_RECORDS} records, and cannot have one more`, () => {
        expect(recordCount).toBe(MAX_TOTAL_RECORDS);
        const issues = issuesWith(kind, (input) => {
          const records = ((input.resources as Json[])[traffic] as Json).records as Json[];
          records.push({
            ...(records[0] as Json),
            name: `one-more.${(records[0] as Json).name}`.slice(-253),
          });
        });

        const cap = new RegExp(`more than (${MAX_RECORDS_PER_RESOURCE}|${MAX_TOTAL_RECORDS})\\b`);
        expect(issues.some((issue) => cap.test(issue))).toBe(true);
      });
    }

    if (kind === 'one-record-each') {
      it('has one record per resource, and the budget takes no more', () => {
        expect(recordCount).toBe(MAX_RESOURCES);
        const issues = issuesWith(kind, (input) => {
          const records = ((input.resources as Json[])[0] as Json).records as Json[];
          records.push({
            ...(records[0] as Json),
            name: `one-more.${(records[0] as Json).name}`.slice(-253),
          });
        });

        expect(issues).toContainEqual(expect.stringMatching(/^resources: the traffic resources name/));
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
});
