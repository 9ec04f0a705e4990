import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { READ_ONLY_WILDCARD_ACTIONS } from '../../infra/step-permissions.ts';
import type { CloudFormationTemplate } from '../../local/synthesize.ts';
import type { DrPlan } from '../../plan/schema.ts';
import { examplePlan } from '../fixtures.ts';
import { EXAMPLES, SYNTH_TIMEOUT_MS, synthesizeExample } from './synth.ts';

/**
 * Actions on "*" that are not in READ_ONLY_WILDCARD_ACTIONS but accepted, each with its reason:
 * X-Ray tracing of the functions and the state machine, and the log delivery Step Functions uses
 * for execution logs. IAM authorizes none of them on a narrower resource.
 */
const TRACING_AND_LOG_DELIVERY_ACTIONS: Record<string, string> = {
  'xray:PutTraceSegments': 'sends trace segments (Tracing.ACTIVE); X-Ray has no resource-level permissions',
  'xray:PutTelemetryRecords': 'sends X-Ray daemon telemetry; X-Ray has no resource-level permissions',
  'xray:GetSamplingRules': 'state machine tracing reads the sampling rules; read-only, "*" only',
  'xray:GetSamplingTargets': 'state machine tracing reads its sampling quota; read-only, "*" only',
  'logs:CreateLogDelivery': 'Step Functions vends execution logs through a log delivery; "*" only',
  'logs:GetLogDelivery': 'log delivery of the execution logs; read-only, "*" only',
  'logs:UpdateLogDelivery': 'log delivery of the execution logs; "*" only',
  'logs:DeleteLogDelivery': 'removes the execution log delivery with the state machine; "*" only',
  'logs:ListLogDeliveries': 'log delivery of the execution logs; read-only, "*" only',
  'logs:PutResourcePolicy': 'lets the log delivery write to the log group (resource policy); "*" only',
  'logs:DescribeResourcePolicies': 'log delivery checks the existing resource policies; read-only, "*" only',
  'logs:DescribeLogGroups': 'log delivery checks the destination log group; read-only, "*" only',
};

/** Log delivery is the state machine's business only. */
const STATE_MACHINE_ONLY = Object.keys(TRACING_AND_LOG_DELIVERY_ACTIONS).filter((a) => a.startsWith('logs:'));

/** IAM service prefix of each AWS SDK client package the step code imports. */
const IAM_PREFIX: Record<string, string> = {
  'auto-scaling': 'autoscaling',
  cloudwatch: 'cloudwatch',
  dynamodb: 'dynamodb',
  ec2: 'ec2',
  rds: 'rds',
  'route-53': 'route53',
  s3: 's3',
  sns: 'sns',
  sfn: 'states',
};

/** The warm-standby example's strategies together send every command of the step code (promote, drill restore and delete, scale, upsert). */
const PLAN_CALLING_EVERY_API = 'warm-standby';

const READ_ONLY_VERB = /^[a-z0-9-]+:(Describe|Get|List)[A-Za-z]*$/;

interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: unknown;
  Resource?: unknown;
  NotResource?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

/** One statement of an identity policy, and who holds it. */
interface Grant {
  readonly policy: string;
  /** Logical ids of the roles the policy is attached to. */
  readonly roles: string[];
  readonly statement: Statement;
}

const asArray = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** A resource as text: references become <LogicalId> / <LogicalId.Arn>, joins are joined. */
function resourceText(value: unknown): string {
  if (typeof value === 'string') return value;
  const ref = value as { Ref?: string; 'Fn::GetAtt'?: string[]; 'Fn::Join'?: [string, unknown[]] };
  if (ref.Ref) return `<${ref.Ref}>`;
  if (ref['Fn::GetAtt']) return `<${ref['Fn::GetAtt'].join('.')}>`;
  if (ref['Fn::Join']) return ref['Fn::Join'][1].map(resourceText).join(ref['Fn::Join'][0]);
  throw new Error(`unexpected resource in a policy: ${JSON.stringify(value)}`);
}

/** Every statement of every identity policy: AWS::IAM::Policy, managed policies and inline role policies. */
function grantsIn(template: CloudFormationTemplate): Grant[] {
  const grants: Grant[] = [];
  const add = (policy: string, roles: unknown, document: unknown) => {
    const roleIds = asArray(roles as { Ref: string }[] | undefined).map((r) => r.Ref);
    for (const statement of asArray((document as { Statement: Statement | Statement[] }).Statement))
      grants.push({ policy, roles: roleIds, statement });
  };
  for (const [id, resource] of Object.entries(template.Resources)) {
    const props = resource.Properties ?? {};
    if (resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy')
      add(id, props.Roles, props.PolicyDocument);
    if (resource.Type === 'AWS::IAM::Role') {
      for (const inline of asArray(props.Policies as { PolicyName: string; PolicyDocument: unknown }[]))
        add(`${id}/${inline.PolicyName}`, [{ Ref: id }], inline.PolicyDocument);
    }
  }
  return grants;
}

/** IAM action matching: case-insensitive, with * and ? wildcards. */
function actionMatches(pattern: string, action: string): boolean {
  const regex = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${regex}$`, 'i').test(action);
}

/** The Allow statements that grant `action` (directly or through a wildcard action). */
function allowing(grants: Grant[], action: string): Grant[] {
  return grants.filter(
    (g) =>
      g.statement.Effect === 'Allow' && asArray(g.statement.Action).some((p) => actionMatches(p, action)),
  );
}

const onEverything = (statement: Statement) => asArray(statement.Resource).includes('*');

/** Logical id of the role each step family's function runs as. */
function familyRoles(template: CloudFormationTemplate): Record<string, string> {
  const roles: Record<string, string> = {};
  for (const resource of Object.values(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const props = resource.Properties as {
      Role: { 'Fn::GetAtt': [string, string] };
      Environment?: { Variables?: Record<string, string> };
    };
    const family = props.Environment?.Variables?.DR_RUNBOOK_FAMILY;
    if (family) roles[family] = props.Role['Fn::GetAtt'][0];
  }
  return roles;
}

/** Logical id of the state machine's role. */
function stateMachineRole(template: CloudFormationTemplate): string {
  const machine = Object.values(template.Resources).find(
    (r) => r.Type === 'AWS::StepFunctions::StateMachine',
  );
  const role = machine?.Properties?.RoleArn as { 'Fn::GetAtt': [string, string] } | undefined;
  if (!role) throw new Error('the template has no state machine with a role');
  return role['Fn::GetAtt'][0];
}

/** IAM actions a step family's code sends (`new XxxCommand(...)` of an imported AWS SDK client). */
function actionsCalledBy(family: string): string[] {
  const dir = fileURLToPath(new URL(`../../functions/${family}/`, import.meta.url));
  const actions = new Set<string>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    const source = readFileSync(`${dir}${file}`, 'utf8');
    const prefixOf = new Map<string, string>();
    for (const [, names = '', client = ''] of source.matchAll(
      /import\s*\{([^}]*)\}\s*from\s*'@aws-sdk\/client-([\w-]+)'/g,
    )) {
      for (const name of names.split(',').map((n) => n.replace(/^\s*type\s+/, '').trim()))
        if (name.endsWith('Command')) prefixOf.set(name, IAM_PREFIX[client] ?? `unknown-client-${client}`);
    }
    for (const [, command = ''] of source.matchAll(/new\s+(\w+Command)\s*\(/g)) {
      const prefix = prefixOf.get(command);
      if (prefix) actions.add(`${prefix}:${command.replace(/Command$/, '')}`);
    }
  }
  return [...actions].sort();
}

/** An ARN in the plan's recovery region, as resourceText prints it. */
const arnIn = (plan: DrPlan, service: string, resource: string) =>
  `arn:<AWS::Partition>:${service}:${plan.regions.recovery}:<AWS::AccountId>:${resource}`;

describe('READ_ONLY_WILDCARD_ACTIONS', () => {
  it('lists only Describe/Get/List actions, each with its reason', () => {
    const entries = Object.entries(READ_ONLY_WILDCARD_ACTIONS);
    expect(entries.length).toBeGreaterThan(0);

    const suspicious = entries.filter(
      ([action, why]) => !READ_ONLY_VERB.test(action) || why.trim().length < 10,
    );

    expect(suspicious).toEqual([]);
  });
});

describe.each(EXAMPLES)('IAM for the %s example', (name) => {
  const plan = examplePlan(name);
  let template: CloudFormationTemplate;
  let grants: Grant[];
  let roles: Record<string, string>;

  beforeAll(async () => {
    template = (await synthesizeExample(name)).template;
    grants = grantsIn(template);
    roles = familyRoles(template);
  }, SYNTH_TIMEOUT_MS);

  it('finds the policies of every step family, the lock and the state machine', () => {
    expect(Object.keys(roles).sort()).toEqual(['compute', 'database', 'lock', 'runbook', 'traffic']);
    expect(grants.length).toBeGreaterThan(0);
    for (const role of [...Object.values(roles), stateMachineRole(template)])
      expect(grants.some((g) => g.roles.includes(role))).toBe(true);
  });

  if (name === PLAN_CALLING_EVERY_API) {
    it.each(['database', 'compute', 'traffic', 'runbook', 'lock'])(
      'allows the %s role every AWS API its code calls',
      (family) => {
        const called = actionsCalledBy(family);
        expect(called.length).toBeGreaterThan(0);

        const denied = called.filter(
          (action) => !allowing(grants, action).some((g) => g.roles.includes(roles[family] ?? '')),
        );

        expect(denied).toEqual([]);
      },
    );
  }

  it('uses no NotAction or NotResource', () => {
    const inverted = grants.filter(
      (g) => g.statement.NotAction !== undefined || g.statement.NotResource !== undefined,
    );
    expect(inverted).toEqual([]);
  });

  it('allows on Resource "*" only the listed read-only, tracing and log-delivery actions', () => {
    const accepted = { ...READ_ONLY_WILDCARD_ACTIONS, ...TRACING_AND_LOG_DELIVERY_ACTIONS };

    const unexplained = grants
      .filter((g) => g.statement.Effect === 'Allow' && onEverything(g.statement))
      .flatMap((g) => asArray(g.statement.Action).map((action) => ({ policy: g.policy, action })))
      .filter(({ action }) => !accepted[action]?.trim());

    expect(unexplained).toEqual([]);
  });

  it('grants log delivery on "*" to the state machine role only', () => {
    const holders = STATE_MACHINE_ONLY.flatMap((action) => allowing(grants, action)).flatMap((g) => g.roles);
    expect([...new Set(holders)]).toEqual([stateMachineRole(template)]);
  });

  it("changes only the plan's record names and the drill record in its own zone", () => {
    const zoneId = plan.traffic.hostedZoneId.replace(/^\/hostedzone\//, '');
    const expectedNames = [...plan.traffic.records.map((r) => r.name), plan.traffic.drillRecordName].sort();

    const changes = allowing(grants, 'route53:ChangeResourceRecordSets');

    expect(changes).toHaveLength(1);
    const [change] = changes;
    expect(change?.roles).toEqual([roles.traffic]);
    expect(asArray(change?.statement.Resource).map(resourceText)).toEqual([
      `arn:aws:route53:::hostedzone/${zoneId}`,
    ]);
    const condition = change?.statement.Condition ?? {};
    expect(Object.keys(condition)).toEqual(['ForAllValues:StringEquals']);
    const names = condition['ForAllValues:StringEquals'] ?? {};
    expect(Object.keys(names)).toEqual(['route53:ChangeResourceRecordSetsNormalizedRecordNames']);
    expect(
      asArray(names['route53:ChangeResourceRecordSetsNormalizedRecordNames'] as string[] | string).sort(),
    ).toEqual(expectedNames);
  });

  if (plan.database.strategy === 'none') {
    it('lets the database role change nothing in RDS', () => {
      const rdsActions = grants
        .filter((g) => g.statement.Effect === 'Allow' && g.roles.includes(roles.database ?? ''))
        .flatMap((g) => asArray(g.statement.Action))
        .filter((action) => action.toLowerCase().startsWith('rds:'));

      expect(rdsActions.length).toBeGreaterThan(0);
      expect(rdsActions.filter((action) => !READ_ONLY_VERB.test(action))).toEqual([]);
    });
  } else {
    it('deletes only drill instances of this plan that carry the drill tag', () => {
      const deletes = allowing(grants, 'rds:DeleteDBInstance');

      expect(deletes.length).toBeGreaterThan(0);
      for (const { statement, roles: holders } of deletes) {
        expect(holders).toEqual([roles.database]);
        expect(asArray(statement.Resource).map(resourceText)).toEqual([
          arnIn(plan, 'rds', `db:drill-${plan.name}-*`),
        ]);
        expect(statement.Condition).toEqual({
          StringEquals: { 'aws:ResourceTag/dr-runbook:purpose': 'drill' },
        });
      }
    });
  }

  if (plan.database.strategy === 'promote-read-replica') {
    const replica = arnIn(plan, 'rds', `db:${plan.database.replicaInstanceId}`);
    it('promotes only the read replica', () => {
      const promotes = allowing(grants, 'rds:PromoteReadReplica');

      expect(promotes.length).toBeGreaterThan(0);
      for (const { statement, roles: holders } of promotes) {
        expect(holders).toEqual([roles.database]);
        expect(asArray(statement.Resource).map(resourceText)).toEqual([replica]);
      }
    });
  } else {
    it('promotes no instance', () => {
      expect(allowing(grants, 'rds:PromoteReadReplica')).toEqual([]);
    });
  }

  if (plan.compute.strategy === 'scale-standby') {
    const group = arnIn(
      plan,
      'autoscaling',
      `autoScalingGroup:*:autoScalingGroupName/${plan.compute.autoScalingGroupName}`,
    );
    it("updates only the plan's Auto Scaling group", () => {
      const updates = allowing(grants, 'autoscaling:UpdateAutoScalingGroup');

      expect(updates.length).toBeGreaterThan(0);
      for (const { statement, roles: holders } of updates) {
        expect(holders).toEqual([roles.compute]);
        expect(asArray(statement.Resource).map(resourceText)).toEqual([group]);
      }
    });
  }
});
