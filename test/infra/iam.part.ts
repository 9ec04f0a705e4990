import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from '@jest/globals';
import {
  CONDITIONED_WILDCARD_ACTIONS,
  READ_ONLY_WILDCARD_ACTIONS,
} from '../../infra/permissions/read-only-actions.ts';
import type { CloudFormationTemplate } from '../../local/synthesize.ts';
import { fences } from '../../plan/resources/fencing.ts';
import { iamNames } from '../../plan/resources/iam-names.ts';
import { FAMILY_OF_TYPE, RESOURCE_FAMILIES, RESOURCE_TYPES } from '../../plan/resources/index.ts';
import { isRoute53Traffic } from '../../plan/resources/traffic-names.ts';
import { type DrPlan, planSchema, type Resource, type ResourceFamily } from '../../plan/schema.ts';
import { resourcesOf } from '../../plan/steps.ts';
import { examplePlan, examplePlanInput } from '../fixtures.ts';
import { BIGGEST_PLAN_KINDS, type BiggestPlanKind, biggestPlan } from '../fixtures-biggest-plan.ts';
import { EXAMPLES, SYNTH_TIMEOUT_MS, sharedPlanTemplate, sharedTemplate } from './synth.ts';

describe('iam', () => {
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
    'logs:DescribeResourcePolicies':
      'log delivery checks the existing resource policies; read-only, "*" only',
    'logs:DescribeLogGroups': 'log delivery checks the destination log group; read-only, "*" only',
  };

  /** Log delivery is the state machine's business only. */
  const STATE_MACHINE_ONLY = Object.keys(TRACING_AND_LOG_DELIVERY_ACTIONS).filter((a) =>
    a.startsWith('logs:'),
  );

  /** IAM service prefix of each AWS SDK client package the step code imports. */
  const IAM_PREFIX: Record<string, string> = {
    'auto-scaling': 'autoscaling',
    cloudwatch: 'cloudwatch',
    dynamodb: 'dynamodb',
    ec2: 'ec2',
    kms: 'kms',
    lambda: 'lambda',
    rds: 'rds',
    'route-53': 'route53',
    'route53-recovery-cluster': 'route53-recovery-cluster',
    s3: 's3',
    sns: 'sns',
    sfn: 'states',
  };

  /** SDK commands whose IAM action is not the command's name. */
  const ACTION_OF_COMMAND: Record<string, string> = {
    'lambda:Invoke': 'lambda:InvokeFunction',
  };

  /**
   * Actions the code sends only for plans that name what they read (else the role is not granted
   * them): readiness reads the security groups a snapshot restore names, and the state of a KMS key
   * a restore uses; fencing stops the old primary of a read replica only where the plan fences it.
   */
  const SENT_ONLY_FOR: Record<string, (plan: DrPlan) => boolean> = {
    'rds:StopDBInstance': (plan) => plan.resources.some((r) => r.type === 'rds-read-replica' && fences(r)),
    'ec2:DescribeSecurityGroups': (plan) =>
      plan.resources.some((r) => r.type === 'rds-snapshot-restore' && r.vpcSecurityGroupIds !== undefined),
    'kms:DescribeKey': (plan) =>
      plan.resources.some(
        (r) =>
          (r.type === 'rds-snapshot-restore' && r.kmsKeyArn !== undefined) ||
          (r.type === 'rds-read-replica' && r.drill.kmsKeyArn !== undefined),
      ),
  };

  /** What `actionsSent` returns that this plan makes the code send. */
  const sentFor = (plan: DrPlan, actions: string[]) =>
    actions.filter((action) => SENT_ONLY_FOR[action]?.(plan) ?? true);

  /** The AWS services whose resources each family's role may name (besides "*"). */
  const SERVICES_OF_FAMILY: Record<ResourceFamily, string[]> = {
    database: ['rds', 'kms', 'dynamodb'],
    compute: ['autoscaling', 'ec2', 'iam'],
    traffic: ['route53', 'route53-recovery-control'],
    hook: ['lambda'],
  };

  /** IAM's limit on all inline policies of one role together (whitespace not counted). */
  const MAX_INLINE_POLICY_CHARACTERS = 10_240;

  const READ_ONLY_VERB = /^[a-z0-9-]+:(Describe|Get|List)[A-Za-z]*$/;

  const FUNCTIONS_DIR = fileURLToPath(new URL('../../functions/', import.meta.url));

  /** The family of a resource type (plan/resources/families.ts). */
  function familyOfType(type: string): ResourceFamily {
    const family = (FAMILY_OF_TYPE as Readonly<Record<string, ResourceFamily>>)[type];
    if (!family) throw new Error(`unknown resource type "${type}"`);
    return family;
  }

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

  const resourcesOfStatement = (statement: Statement) => asArray(statement.Resource).map(resourceText);

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

  // ---- what the code sends: every `new XxxCommand(...)` of an AWS SDK client, file by file, and the
  // files a file loads (relative imports that are not type-only), so each resource type's own code
  // (functions/<family>/types/<type>.ts and what it imports) is known apart from the family's.

  /** IAM actions a source file sends. */
  function actionsInFile(file: string): string[] {
    const source = readFileSync(file, 'utf8');
    const prefixOf = new Map<string, string>();
    for (const [, names = '', client = ''] of source.matchAll(
      /import\s*\{([^}]*)\}\s*from\s*'@aws-sdk\/client-([\w-]+)'/g,
    )) {
      for (const name of names.split(',').map((n) => n.replace(/^\s*type\s+/, '').trim()))
        if (name.endsWith('Command')) prefixOf.set(name, IAM_PREFIX[client] ?? `unknown-client-${client}`);
    }
    const actions: string[] = [];
    for (const [, command = ''] of source.matchAll(/new\s+(\w+Command)\s*\(/g)) {
      const prefix = prefixOf.get(command);
      if (!prefix) continue;
      const action = `${prefix}:${command.replace(/Command$/, '')}`;
      actions.push(ACTION_OF_COMMAND[action] ?? action);
    }
    return actions;
  }

  /** Project files a source file loads at run time (type-only imports load nothing). */
  function importsOf(file: string): string[] {
    const source = readFileSync(file, 'utf8');
    const specifiers = [
      ...source.matchAll(/^\s*(?:import|export)\s+(?!type\b)[^;]*?\bfrom\s+'(\.{1,2}\/[^']+)'/gm),
      ...source.matchAll(/^\s*import\s+'(\.{1,2}\/[^']+)'/gm),
      ...source.matchAll(/\bimport\(\s*'(\.{1,2}\/[^']+)'\s*\)/g),
    ].map((match) => match[1] as string);
    return specifiers.map((specifier) => resolve(dirname(file), specifier));
  }

  /**
   * Code of another family a family's code imports, with what the imported code it calls sends (the
   * walk does not follow these: a file of another family sends more than the part that is used).
   */
  const CROSS_FAMILY_IMPORTS: Record<string, Record<string, string[]>> = {
    // request-approval marks the lock awaitingApproval (markAwaitingApproval).
    runbook: { 'lock/lock.ts': ['dynamodb:UpdateItem'] },
    // the execution input schema, no AWS call.
    lock: { 'runbook/execution-input.ts': [] },
  };

  interface Reached {
    /** IAM actions the files send. */
    readonly actions: string[];
    /** Files of other families imported (relative to functions/). */
    readonly crossFamily: string[];
  }

  /**
   * IAM actions sent by `entries` and every file of `family` (and functions/shared) they load,
   * except below `excluded`; imports of another family's files are listed, not followed.
   */
  function reachedFrom(entries: string[], family: string, excluded?: string): Reached {
    const own = [join(FUNCTIONS_DIR, family, '/'), join(FUNCTIONS_DIR, 'shared/')];
    const seen = new Set<string>();
    const crossFamily = new Set<string>();
    const queue = [...entries];
    while (queue.length > 0) {
      const file = queue.shift() as string;
      if (seen.has(file) || !file.startsWith(FUNCTIONS_DIR)) continue;
      if (!own.some((dir) => file.startsWith(dir))) {
        crossFamily.add(file.slice(FUNCTIONS_DIR.length));
        continue;
      }
      seen.add(file);
      queue.push(...importsOf(file).filter((f) => !(excluded && f.startsWith(excluded))));
    }
    return {
      actions: [...new Set([...seen].flatMap(actionsInFile))].sort(),
      crossFamily: [...crossFamily].sort(),
    };
  }

  /** What a family's Lambda sends whatever the resource type (its handler without the types/ files). */
  const familyCode = (family: string) =>
    reachedFrom([join(FUNCTIONS_DIR, family, 'handler.ts')], family, join(FUNCTIONS_DIR, family, 'types/'));

  /** What a resource type's implementation sends (functions/<family>/types/<type>.ts and what it loads). */
  const typeCode = (type: string) => {
    const family = familyOfType(type);
    return reachedFrom([join(FUNCTIONS_DIR, family, 'types', `${type}.ts`)], family);
  };

  /** Every IAM action a family's Lambda sends for these resource types. */
  function actionsSent(family: string, types: string[]): string[] {
    const reached = [familyCode(family), ...types.map(typeCode)];
    const imported = reached
      .flatMap((r) => r.crossFamily)
      .flatMap((file) => CROSS_FAMILY_IMPORTS[family]?.[file] ?? []);
    return [...new Set([...reached.flatMap((r) => r.actions), ...imported])].sort();
  }

  // ---- policy size as IAM counts it: the documents with every reference resolved, without whitespace.

  /** The partition of a Region, for `Ref: AWS::Partition`. */
  const partitionOf = (region: string) =>
    region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';

  /** The longest physical name or ARN a reference to a resource of each type can resolve to. */
  function referenceValue(
    template: CloudFormationTemplate,
    logicalId: string,
    attribute: 'Ref' | 'Arn',
    region: string,
  ): string {
    const type = template.Resources[logicalId]?.Type ?? 'unknown';
    const arn = (service: string, resource: string, length: number) =>
      `arn:${partitionOf(region)}:${service}:${region}:123456789012:${resource}${'x'.repeat(length)}`;
    const longest: Record<string, { Ref: string; Arn: string }> = {
      'AWS::Lambda::Function': { Ref: 'x'.repeat(64), Arn: arn('lambda', 'function:', 64) },
      'AWS::DynamoDB::Table': { Ref: 'x'.repeat(255), Arn: arn('dynamodb', 'table/', 255) },
      'AWS::SNS::Topic': { Ref: arn('sns', '', 256), Arn: arn('sns', '', 256) },
      'AWS::S3::Bucket': { Ref: 'x'.repeat(63), Arn: `arn:${partitionOf(region)}:s3:::${'x'.repeat(63)}` },
      'AWS::KMS::Key': { Ref: 'x'.repeat(36), Arn: arn('kms', 'key/', 36) },
      'AWS::StepFunctions::StateMachine': {
        Ref: arn('states', 'stateMachine:', 80),
        Arn: arn('states', 'stateMachine:', 80),
      },
    };
    return longest[type]?.[attribute] ?? 'x'.repeat(2048);
  }

  /** A policy document as IAM stores it: pseudo parameters and references resolved (at their longest). */
  function resolved(value: unknown, template: CloudFormationTemplate, region: string): unknown {
    if (Array.isArray(value)) return value.map((item) => resolved(item, template, region));
    if (!value || typeof value !== 'object') return value;
    const node = value as Record<string, unknown>;
    if (typeof node.Ref === 'string') {
      const pseudo: Record<string, string> = {
        'AWS::Partition': partitionOf(region),
        'AWS::Region': region,
        'AWS::AccountId': '123456789012',
        'AWS::URLSuffix': 'amazonaws.com',
      };
      return pseudo[node.Ref] ?? referenceValue(template, node.Ref, 'Ref', region);
    }
    const getAtt = node['Fn::GetAtt'] as [string, string] | undefined;
    if (getAtt) return referenceValue(template, getAtt[0], 'Arn', region);
    const join = node['Fn::Join'] as [string, unknown[]] | undefined;
    if (join) return join[1].map((part) => resolved(part, template, region)).join(join[0]);
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, resolved(v, template, region)]));
  }

  /**
   * Characters of the policies the stack gives each role, together, as IAM counts them: its inline
   * policies, and the managed policies CDK splits off a role policy it finds too big (which would
   * be inline without the split).
   */
  function policyCharactersByRole(template: CloudFormationTemplate, region: string): Record<string, number> {
    const sizes: Record<string, number> = {};
    const add = (role: string, document: unknown) => {
      sizes[role] = (sizes[role] ?? 0) + JSON.stringify(resolved(document, template, region)).length;
    };
    for (const [id, resource] of Object.entries(template.Resources)) {
      const props = resource.Properties ?? {};
      if (resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy') {
        for (const role of asArray(props.Roles as { Ref: string }[])) add(role.Ref, props.PolicyDocument);
      }
      if (resource.Type === 'AWS::IAM::Role') {
        for (const inline of asArray(props.Policies as { PolicyDocument: unknown }[]))
          add(id, inline.PolicyDocument);
      }
    }
    return sizes;
  }

  // ---- plan resources in policies

  /** An ARN in the plan's recovery region, as resourceText prints it. */
  const arnIn = (plan: DrPlan, service: string, resource: string) =>
    `arn:<AWS::Partition>:${service}:${plan.regions.recovery}:<AWS::AccountId>:${resource}`;

  /** An ARN in the plan's primary region (what fencing acts on), as resourceText prints it. */
  const arnInPrimary = (plan: DrPlan, service: string, resource: string) =>
    `arn:<AWS::Partition>:${service}:${plan.regions.primary}:<AWS::AccountId>:${resource}`;

  /** The primary-region resource fencing acts on for a plan resource, if the plan fences it. */
  function fencedArnOf(plan: DrPlan, resource: Resource): string | undefined {
    if (!fences(resource)) return undefined;
    if (resource.type === 'rds-read-replica')
      return arnInPrimary(plan, 'rds', `db:${resource.primaryInstanceId}`);
    if (resource.type === 'auto-scaling-group')
      return arnInPrimary(
        plan,
        'autoscaling',
        `autoScalingGroup:*:autoScalingGroupName/${resource.primaryAutoScalingGroupName}`,
      );
    return undefined;
  }

  /** The ARNs a plan resource's own AWS resources have in a policy (the fenced ones included). */
  function arnsOf(plan: DrPlan, resource: Resource): string[] {
    const fenced = fencedArnOf(plan, resource);
    return [...recoveryArnsOf(plan, resource), ...(fenced ? [fenced] : [])];
  }

  /** The ARNs a plan resource's own AWS resources in the recovery region (or global) have in a policy. */
  function recoveryArnsOf(plan: DrPlan, resource: Resource): string[] {
    switch (resource.type) {
      case 'rds-read-replica':
        return [arnIn(plan, 'rds', `db:${resource.replicaInstanceId}`)];
      case 'rds-snapshot-restore':
        return [arnIn(plan, 'rds', `db:${resource.restoredInstanceId}`)];
      case 'aurora-global-database':
        return [
          `arn:<AWS::Partition>:rds::<AWS::AccountId>:global-cluster:${resource.globalClusterId}`,
          arnIn(plan, 'rds', `cluster:${resource.secondaryClusterId}`),
        ];
      case 'dynamodb-global-table':
        return [arnIn(plan, 'dynamodb', `table/${resource.tableName}`)];
      case 'auto-scaling-group':
        return [
          arnIn(
            plan,
            'autoscaling',
            `autoScalingGroup:*:autoScalingGroupName/${resource.autoScalingGroupName}`,
          ),
        ];
      case 'route53-records':
      case 'route53-weighted':
        return [
          `arn:<AWS::Partition>:route53:::hostedzone/${resource.hostedZoneId.replace(/^\/hostedzone\//, '')}`,
        ];
      case 'arc-routing-control':
        return [
          resource.primaryRoutingControlArn,
          resource.recoveryRoutingControlArn,
          ...(resource.drillRoutingControlArn ? [resource.drillRoutingControlArn] : []),
        ];
      case 'route53-health-check-failover':
        return [resource.healthCheckId, ...(resource.drill ? [resource.drill.healthCheckId] : [])].map(
          (id) => `arn:<AWS::Partition>:route53:::healthcheck/${id}`,
        );
      case 'lambda-hook':
        return [resource.functionArn];
    }
  }

  /** A condition with its lists sorted, as text (for comparing what an action is allowed under). */
  function conditionText(condition: Statement['Condition']): string {
    if (!condition) return '';
    const sorted = Object.fromEntries(
      Object.entries(condition)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([operator, keys]) => [
          operator,
          Object.fromEntries(
            Object.entries(keys)
              .sort(([a], [b]) => a.localeCompare(b))
              .map(([key, value]) => [key, Array.isArray(value) ? [...value].sort() : value]),
          ),
        ]),
    );
    return ` if ${JSON.stringify(sorted)}`;
  }

  /** Every action a role is allowed on each resource it names (with the condition it is allowed under). */
  function actionsByResource(grants: Grant[], role: string): Record<string, string[]> {
    const byResource: Record<string, Set<string>> = {};
    for (const { statement, roles } of grants) {
      if (statement.Effect !== 'Allow' || !roles.includes(role)) continue;
      for (const resource of resourcesOfStatement(statement)) {
        byResource[resource] ??= new Set();
        for (const action of asArray(statement.Action))
          byResource[resource].add(`${action}${conditionText(statement.Condition)}`);
      }
    }
    return Object.fromEntries(
      Object.entries(byResource).map(([resource, actions]) => [resource, [...actions].sort()]),
    );
  }

  const familiesOf = (plan: DrPlan) => RESOURCE_FAMILIES.filter((f) => resourcesOf(plan, f).length > 0);

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

  describe('what the step code sends', () => {
    it('is read from every resource type implementation', () => {
      const silent = RESOURCE_TYPES.filter((type) => typeCode(type).actions.length === 0);
      expect(silent).toEqual([]);
    });

    it("follows a family's code into another family's only where that is listed, with what it sends", () => {
      const families = [...RESOURCE_FAMILIES, 'runbook', 'lock'];
      const imports = (family: string) =>
        [
          familyCode(family),
          ...RESOURCE_TYPES.filter((t) => familyOfType(t) === family).map(typeCode),
        ].flatMap((r) => r.crossFamily);

      const unlisted = families.flatMap((family) =>
        [...new Set(imports(family))]
          .filter((file) => !(file in (CROSS_FAMILY_IMPORTS[family] ?? {})))
          .map((file) => `${family} → ${file}`),
      );

      expect(unlisted).toEqual([]);
    });

    it('is checked against a plan for every resource type: the examples together use each', () => {
      const used = new Set(EXAMPLES.flatMap((name) => examplePlan(name).resources.map((r) => r.type)));

      expect([...used].sort()).toEqual([...RESOURCE_TYPES].sort());
    });
  });

  describe.each(EXAMPLES)('IAM for the %s example', (name) => {
    const plan = examplePlan(name);
    let template: CloudFormationTemplate;
    let grants: Grant[];
    let roles: Record<string, string>;

    beforeAll(async () => {
      template = await sharedTemplate(name);
      grants = grantsIn(template);
      roles = familyRoles(template);
    }, SYNTH_TIMEOUT_MS);

    /** The Allow statements of one family's role. */
    const grantsOf = (family: string) =>
      grants.filter((g) => g.statement.Effect === 'Allow' && g.roles.includes(roles[family] ?? '-'));

    it('has a role for each family the plan uses, the runbook, the lock and the state machine', () => {
      expect(Object.keys(roles).sort()).toEqual(
        [...familiesOf(plan), 'lock', 'runbook', ...(plan.triggers.detector ? ['detector'] : [])].sort(),
      );
      for (const role of [...Object.values(roles), stateMachineRole(template)])
        expect(grants.some((g) => g.roles.includes(role))).toBe(true);
    });

    it.each([...familiesOf(plan), 'runbook', 'lock'])(
      'allows the %s role every AWS API its code sends for this plan',
      (family) => {
        const types = [
          ...new Set(plan.resources.filter((r) => familyOfType(r.type) === family).map((r) => r.type)),
        ];
        const sent = sentFor(plan, actionsSent(family, types));
        expect(sent.length).toBeGreaterThan(0);

        const denied = sent.filter((action) => allowing(grantsOf(family), action).length === 0);

        expect(denied).toEqual([]);
      },
    );

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
        .flatMap((g) =>
          asArray(g.statement.Action).map((action) => ({ policy: g.policy, action, statement: g.statement })),
        )
        .filter(({ action, statement }) => {
          if (accepted[action]?.trim()) return false;
          // A write IAM authorizes only on "*" passes only under its narrowing condition key.
          const conditioned = CONDITIONED_WILDCARD_ACTIONS[action];
          const keys = Object.values(statement.Condition ?? {}).flatMap((c) => Object.keys(c as object));
          return !(conditioned && keys.includes(conditioned.conditionKey));
        })
        .map(({ policy, action }) => ({ policy, action }));

      expect(unexplained).toEqual([]);
    });

    it('grants log delivery on "*" to the state machine role only', () => {
      const holders = STATE_MACHINE_ONLY.flatMap((action) => allowing(grants, action)).flatMap(
        (g) => g.roles,
      );
      expect([...new Set(holders)]).toEqual([stateMachineRole(template)]);
    });

    it("lets each family's role name only its own resources, of its own services", () => {
      for (const resource of plan.resources) {
        const family = familyOfType(resource.type);
        for (const arn of arnsOf(plan, resource)) {
          const holders = grants
            .filter((g) => resourcesOfStatement(g.statement).includes(arn))
            .flatMap((g) => g.roles);
          expect({ arn, holders: [...new Set(holders)] }).toEqual({ arn, holders: [roles[family]] });
        }
      }
      for (const family of familiesOf(plan)) {
        const services = grantsOf(family)
          .flatMap((g) => resourcesOfStatement(g.statement))
          .filter((resource) => resource !== '*')
          .map((resource) => resource.replaceAll('<AWS::Partition>', 'aws').split(':')[2]);
        const foreign = [...new Set(services)].filter((s) => !SERVICES_OF_FAMILY[family].includes(s ?? ''));
        expect({ family, foreign }).toEqual({ family, foreign: [] });
      }
    });

    it("changes only each traffic resource's records and drill record, in its own zone", () => {
      const changes = allowing(grants, 'route53:ChangeResourceRecordSets');

      const route53Traffic = resourcesOf(plan, 'traffic').filter(isRoute53Traffic);
      expect(changes).toHaveLength(route53Traffic.length);
      for (const traffic of route53Traffic) {
        const zone = arnsOf(plan, traffic)[0];
        const expectedNames = [...traffic.records.map((r) => r.name), traffic.drillRecordName].sort();
        const change = changes.find((g) => resourcesOfStatement(g.statement).includes(zone ?? '-'));

        expect(change?.roles).toEqual([roles.traffic]);
        expect(resourcesOfStatement(change?.statement ?? { Effect: 'Allow' })).toEqual([zone]);
        expect(change?.statement.Condition).toEqual({
          'ForAllValues:StringEquals': {
            'route53:ChangeResourceRecordSetsNormalizedRecordNames': expect.any(Array),
          },
        });
        const names = change?.statement.Condition?.['ForAllValues:StringEquals']?.[
          'route53:ChangeResourceRecordSetsNormalizedRecordNames'
        ] as string[];
        expect([...names].sort()).toEqual(expectedNames);
      }
    });

    it("deletes only this plan's drill instances and clusters, and only those tagged as its drills", () => {
      const deletes = ['rds:DeleteDBInstance', 'rds:DeleteDBCluster'].flatMap((action) =>
        allowing(grants, action),
      );
      const databases = resourcesOf(plan, 'database').filter((r) => r.type !== 'dynamodb-global-table');
      expect(deletes.length > 0).toBe(databases.length > 0);

      for (const { statement, roles: holders } of deletes) {
        expect(holders).toEqual([roles.database]);
        expect(
          resourcesOfStatement(statement).filter(
            (r) =>
              r !== arnIn(plan, 'rds', `db:drill-${plan.name}-*`) &&
              r !== arnIn(plan, 'rds', `cluster:drill-${plan.name}-*`),
          ),
        ).toEqual([]);
        // The name prefix alone would also match the drills of a plan whose name starts with this one's.
        expect(statement.Condition).toEqual({
          StringEquals: {
            'aws:ResourceTag/dr-runbook:purpose': 'drill',
            'aws:ResourceTag/dr-runbook:plan': plan.name,
          },
        });
      }
    });

    it("promotes only the plan's read replicas, and restores onto none of them", () => {
      const replicas = resourcesOf(plan, 'database').flatMap((r) =>
        r.type === 'rds-read-replica' ? recoveryArnsOf(plan, r) : [],
      );
      const promoted = allowing(grants, 'rds:PromoteReadReplica').flatMap((g) =>
        resourcesOfStatement(g.statement),
      );
      const restoredOnto = allowing(grants, 'rds:RestoreDBInstanceFromDBSnapshot').flatMap((g) =>
        resourcesOfStatement(g.statement),
      );

      expect(promoted.sort()).toEqual(replicas.sort());
      expect(restoredOnto.filter((arn) => replicas.includes(arn))).toEqual([]);
    });

    it('stops only the old primaries of the read replicas the plan fences, in the primary region', () => {
      const primaries = resourcesOf(plan, 'database').flatMap((r) => {
        const fenced = r.type === 'rds-read-replica' ? fencedArnOf(plan, r) : undefined;
        return fenced ? [fenced] : [];
      });
      const stops = allowing(grants, 'rds:StopDBInstance');

      expect(stops.flatMap((g) => g.roles).every((role) => role === roles.database)).toBe(true);
      expect(stops.flatMap((g) => resourcesOfStatement(g.statement)).sort()).toEqual(primaries.sort());
    });

    it("updates only the plan's Auto Scaling groups (the primary ones it fences included)", () => {
      const groups = resourcesOf(plan, 'compute').flatMap((r) => arnsOf(plan, r));
      const updates = allowing(grants, 'autoscaling:UpdateAutoScalingGroup');

      expect(updates.flatMap((g) => g.roles).every((role) => role === roles.compute)).toBe(true);
      expect(updates.flatMap((g) => resourcesOfStatement(g.statement)).sort()).toEqual(groups.sort());
    });

    it("touches the items of each DynamoDB table only under the drill's probe key", () => {
      for (const table of resourcesOf(plan, 'database')) {
        if (table.type !== 'dynamodb-global-table') continue;
        const arn = arnsOf(plan, table)[0] ?? '-';
        const itemGrants = ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:DeleteItem'].flatMap((action) =>
          allowing(grants, action).filter((g) => resourcesOfStatement(g.statement).includes(arn)),
        );

        expect(itemGrants.length).toBeGreaterThan(0);
        for (const { statement } of itemGrants) {
          expect(statement.Condition).toEqual({
            'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${table.drill.probeKeyPrefix}#*`] },
          });
        }
      }
    });

    it("reads and sets only the plan's ARC routing controls, through the data plane only", () => {
      const controls = resourcesOf(plan, 'traffic').flatMap((r) =>
        r.type === 'arc-routing-control'
          ? [r.primaryRoutingControlArn, r.recoveryRoutingControlArn, r.drillRoutingControlArn ?? []].flat()
          : [],
      );
      for (const action of [
        'route53-recovery-cluster:GetRoutingControlState',
        'route53-recovery-cluster:UpdateRoutingControlStates',
      ]) {
        const granted = allowing(grants, action);
        expect(granted.flatMap((g) => g.roles)).toEqual(controls.length === 0 ? [] : [roles.traffic]);
        expect(granted.flatMap((g) => resourcesOfStatement(g.statement)).sort()).toEqual(
          [...controls].sort(),
        );
      }
      const controlConfig = grants.filter((g) =>
        [g.statement.Action].flat().some((a) => String(a).startsWith('route53-recovery-control-config:')),
      );
      expect(controlConfig).toEqual([]);
    });

    it('grants no KMS action on "*": only on the plan\'s keys and the runbook\'s own', () => {
      const kms = grants.filter(
        (g) =>
          g.statement.Effect === 'Allow' && asArray(g.statement.Action).some((a) => a.startsWith('kms:')),
      );
      for (const grant of kms) {
        for (const resource of resourcesOfStatement(grant.statement)) expect(resource).not.toBe('*');
      }
    });

    it("invokes only the plan's hook functions", () => {
      const hooks = resourcesOf(plan, 'hook').map((r) => r.functionArn);
      const invokes = allowing(grants, 'lambda:InvokeFunction').filter((g) =>
        g.roles.includes(roles.hook ?? '-'),
      );

      expect(invokes.flatMap((g) => resourcesOfStatement(g.statement)).sort()).toEqual(hooks.sort());
    });
  });

  describe('IAM for the multi-tier example: each role allows exactly this on the plan resources', () => {
    const plan = examplePlan('multi-tier');
    /** An ARN in the recovery region: inRecovery('rds', 'db:x'). */
    const inRecovery = (service: string, resource: string) => arnIn(plan, service, resource);
    let grants: Grant[];
    let roles: Record<string, string>;

    beforeAll(async () => {
      const template = await sharedTemplate('multi-tier');
      grants = grantsIn(template);
      roles = familyRoles(template);
    }, SYNTH_TIMEOUT_MS);

    /** What a family's role may do on the plan's own resources (not the drill's temporary ones). */
    const onPlanResources = (family: ResourceFamily) => {
      const own = resourcesOf(plan, family).flatMap((r) => arnsOf(plan, r));
      const byResource = actionsByResource(grants, roles[family] ?? '-');
      return Object.fromEntries(own.map((arn) => [arn, byResource[arn] ?? []]));
    };

    it('database: promotes the replica and stops its old primary; fails over the Aurora global cluster to its secondary, which a drill only reads; probes the table', () => {
      const probe = ' if {"ForAllValues:StringLike":{"dynamodb:LeadingKeys":["dr-runbook-probe#*"]}}';

      expect(onPlanResources('database')).toEqual({
        [inRecovery('rds', 'db:market-orders-replica')]: ['rds:PromoteReadReplica'],
        // Fencing stops the old primary, in the primary region.
        [arnInPrimary(plan, 'rds', 'db:market-orders')]: ['rds:StopDBInstance'],
        'arn:<AWS::Partition>:rds::<AWS::AccountId>:global-cluster:market-inventory': [
          'rds:DescribeDBClusters',
          'rds:DescribeGlobalClusters',
          'rds:FailoverGlobalCluster',
          'rds:SwitchoverGlobalCluster',
        ],
        // The drill clones the secondary (RestoreDBClusterToPointInTime reads it as the source); it
        // never adds an instance to it, nor tags it.
        [inRecovery('rds', 'cluster:market-inventory-west')]: [
          'rds:DescribeDBClusters',
          'rds:DescribeGlobalClusters',
          'rds:FailoverGlobalCluster',
          'rds:RestoreDBClusterToPointInTime',
          'rds:SwitchoverGlobalCluster',
        ],
        [inRecovery('dynamodb', 'table/market-sessions')]: [
          `dynamodb:DeleteItem${probe}`,
          'dynamodb:DescribeTable',
          `dynamodb:GetItem${probe}`,
          `dynamodb:PutItem${probe}`,
        ],
      });
    });

    it('database: names nothing else than those, the drill instances and clusters, and the placement a restore reads', () => {
      const named = Object.keys(actionsByResource(grants, roles.database ?? '-')).sort();

      expect(named).toEqual(
        [
          '*',
          inRecovery('rds', 'db:market-orders-replica'),
          arnInPrimary(plan, 'rds', 'db:market-orders'),
          'arn:<AWS::Partition>:rds::<AWS::AccountId>:global-cluster:market-inventory',
          inRecovery('rds', 'cluster:market-inventory-west'),
          inRecovery('dynamodb', 'table/market-sessions'),
          inRecovery('rds', 'db:drill-market-*'),
          inRecovery('rds', 'cluster:drill-market-*'),
          ...['og', 'pg', 'secgrp', 'snapshot', 'subgrp', 'cluster-pg'].map((type) =>
            inRecovery('rds', `${type}:*`),
          ),
        ].sort(),
      );
    });

    it('database: tags only what a drill creates', () => {
      const tagged = allowing(grants, 'rds:AddTagsToResource').flatMap((g) =>
        resourcesOfStatement(g.statement),
      );

      expect([...new Set(tagged)].sort()).toEqual([
        inRecovery('rds', 'cluster:drill-market-*'),
        inRecovery('rds', 'db:drill-market-*'),
      ]);
    });

    it('compute: scales and tags both standby groups', () => {
      const scale = [
        'autoscaling:CreateOrUpdateTags',
        'autoscaling:DeleteTags',
        'autoscaling:UpdateAutoScalingGroup',
      ];

      expect(onPlanResources('compute')).toEqual({
        [inRecovery('autoscaling', 'autoScalingGroup:*:autoScalingGroupName/market-web-standby')]: scale,
        [inRecovery('autoscaling', 'autoScalingGroup:*:autoScalingGroupName/market-workers-standby')]: scale,
      });
    });

    it("compute: passes only the web tier's instance role, and only to EC2; launches only through a launch template; tags only on launch", () => {
      const compute = (action: string) =>
        allowing(grants, action).filter((g) => g.roles.includes(roles.compute ?? '-'));

      const pass = allowing(grants, 'iam:PassRole');
      expect(pass.flatMap((g) => g.roles)).toEqual([roles.compute]);
      expect(pass.flatMap((g) => resourcesOfStatement(g.statement))).toEqual([
        'arn:aws:iam::123456789012:role/market-web-instance',
      ]);
      expect(pass[0]?.statement.Condition).toEqual({
        StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' },
      });

      const launches = compute('ec2:RunInstances');
      const onTemplates = launches.filter((g) =>
        resourcesOfStatement(g.statement).every((r) => r.endsWith(':launch-template/*')),
      );
      expect(onTemplates).toHaveLength(1);
      for (const grant of launches.filter((g) => !onTemplates.includes(g))) {
        const condition = grant.statement.Condition as { ArnLike?: Record<string, unknown> } | undefined;
        expect(Object.keys(condition ?? {})).toEqual(['ArnLike']);
        expect(resourceText(condition?.ArnLike?.['ec2:LaunchTemplate'])).toBe(
          inRecovery('ec2', 'launch-template/*'),
        );
        for (const resource of resourcesOfStatement(grant.statement))
          expect(resource).toMatch(/^arn:<AWS::Partition>:ec2:us-west-2:(<AWS::AccountId>)?:[a-z-]+\/\*$/);
      }

      const tags = compute('ec2:CreateTags');
      expect(tags).toHaveLength(1);
      expect(tags[0]?.statement.Condition).toEqual({ StringEquals: { 'ec2:CreateAction': 'RunInstances' } });
    });

    it('traffic: reads the zone and changes only the plan records and the drill record', () => {
      const names = ['api.market.example.com', 'drill.market.example.com', 'www.market.example.com'];

      expect(onPlanResources('traffic')).toEqual({
        'arn:<AWS::Partition>:route53:::hostedzone/Z0MARKETEXAMPLE': [
          `route53:ChangeResourceRecordSets if ${JSON.stringify({
            'ForAllValues:StringEquals': { 'route53:ChangeResourceRecordSetsNormalizedRecordNames': names },
          })}`,
          'route53:GetHostedZone',
          'route53:ListResourceRecordSets',
        ],
      });
    });

    it('hook: reads and invokes the cache flush function, and nothing else', () => {
      const hook = 'arn:aws:lambda:us-west-2:123456789012:function:market-flush-cache';

      expect(onPlanResources('hook')).toEqual({
        [hook]: ['lambda:GetFunctionConfiguration', 'lambda:InvokeFunction'],
      });
      expect(Object.keys(actionsByResource(grants, roles.hook ?? '-')).sort()).toEqual(['*', hook]);
    });
  });

  describe.each([
    ['backup-restore', 'vpcSecurityGroupIds and kmsKeyArn'],
    ['warm-standby', 'drill.kmsKeyArn'],
  ] as const)('IAM for the %s example with %s', (example, _named) => {
    const KEY = 'arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const input = examplePlanInput(example);
    const db = input.resources.find((r) => r.id === 'db') as Record<string, unknown>;
    if (example === 'backup-restore')
      Object.assign(db, { vpcSecurityGroupIds: ['sg-0123456789abcdef0'], kmsKeyArn: KEY });
    else db.drill = { ...(db.drill as object), kmsKeyArn: KEY };
    const plan = planSchema.parse(input);
    let grants: Grant[];
    let roles: Record<string, string>;

    beforeAll(async () => {
      const template = await sharedPlanTemplate(plan);
      grants = grantsIn(template);
      roles = familyRoles(template);
    }, SYNTH_TIMEOUT_MS);

    const databaseGrants = (action: string) =>
      allowing(grants, action).filter((g) => g.roles.includes(roles.database ?? '-'));

    it('allows the database role every AWS API its code sends, the readiness reads of the key (and groups) included', () => {
      const types = [...new Set(resourcesOf(plan, 'database').map((r) => r.type))];
      const sent = sentFor(plan, actionsSent('database', types));
      expect(sent).toContain('kms:DescribeKey');
      if (example === 'backup-restore') expect(sent).toContain('ec2:DescribeSecurityGroups');
      else expect(sent).not.toContain('ec2:DescribeSecurityGroups');

      expect(sent.filter((action) => databaseGrants(action).length === 0)).toEqual([]);
    });

    it('reads the key state on the plan key only, and the security groups only where the plan names them', () => {
      expect(databaseGrants('kms:DescribeKey').flatMap((g) => resourcesOfStatement(g.statement))).toEqual([
        KEY,
      ]);
      expect(
        databaseGrants('ec2:DescribeSecurityGroups').flatMap((g) => resourcesOfStatement(g.statement)),
      ).toEqual(example === 'backup-restore' ? ['*'] : []);
    });
  });

  describe.each([
    ['fences the old primary and the primary group', true],
    ['fences nothing (no primary group named, the replica not fenced)', false],
  ] as const)('IAM for the warm-standby example that %s', (_what, fenced) => {
    const input = examplePlanInput('warm-standby');
    const resource = (id: string) => input.resources.find((r) => r.id === id) as Record<string, unknown>;
    if (fenced) resource('web').primaryAutoScalingGroupName = 'shop-web-primary';
    else {
      delete resource('web').primaryAutoScalingGroupName;
      resource('db').fence = false;
    }
    const plan = planSchema.parse(input);
    const primaryGroup = arnInPrimary(
      plan,
      'autoscaling',
      'autoScalingGroup:*:autoScalingGroupName/shop-web-primary',
    );
    const primaryDb = arnInPrimary(plan, 'rds', 'db:shop-db');
    let grants: Grant[];
    let roles: Record<string, string>;

    beforeAll(async () => {
      const template = await sharedPlanTemplate(plan);
      grants = grantsIn(template);
      roles = familyRoles(template);
    }, SYNTH_TIMEOUT_MS);

    it.each(['compute', 'database'] as const)(
      'allows the %s role every AWS API its code sends for this plan',
      (family) => {
        const types = [...new Set(resourcesOf(plan, family).map((r) => r.type))];
        const sent = sentFor(plan, actionsSent(family, types));
        if (family === 'database') expect(sent.includes('rds:StopDBInstance')).toBe(fenced);

        const role = roles[family] ?? '-';
        const denied = sent.filter(
          (action) => allowing(grants, action).filter((g) => g.roles.includes(role)).length === 0,
        );
        expect(denied).toEqual([]);
      },
    );

    it("grants fencing's calls on the primary region's group and instance only, to their own family's role", () => {
      const byResource = (family: string) => actionsByResource(grants, roles[family] ?? '-');

      expect(byResource('compute')[primaryGroup]).toEqual(
        fenced ? ['autoscaling:CreateOrUpdateTags', 'autoscaling:UpdateAutoScalingGroup'] : undefined,
      );
      expect(byResource('database')[primaryDb]).toEqual(fenced ? ['rds:StopDBInstance'] : undefined);
      expect(
        allowing(grants, 'rds:StopDBInstance').flatMap((g) => resourcesOfStatement(g.statement)),
      ).toEqual(fenced ? [primaryDb] : []);
      // Nothing else of the primary region is named by any role: fencing is all it calls there.
      const inPrimary = grants
        .flatMap((g) => resourcesOfStatement(g.statement))
        .filter((r) => r.replaceAll('<AWS::Partition>', 'aws').split(':')[3] === plan.regions.primary);
      expect([...new Set(inPrimary)].sort()).toEqual(fenced ? [primaryDb, primaryGroup].sort() : []);
    });

    it('counts the names fencing lists against the IAM budget', () => {
      const names = plan.resources.flatMap(iamNames);

      expect(names.includes('shop-web-primary')).toBe(fenced);
      expect(names.includes('shop-db')).toBe(fenced);
    });
  });

  describe.each(BIGGEST_PLAN_KINDS)(
    'IAM for the biggest %s plan the schema accepts',
    (kind: BiggestPlanKind) => {
      let plan: DrPlan;
      let template: CloudFormationTemplate;

      beforeAll(async () => {
        plan = biggestPlan(kind);
        template = await sharedPlanTemplate(plan);
      }, SYNTH_TIMEOUT_MS);

      it(`keeps every role's policy within ${MAX_INLINE_POLICY_CHARACTERS} characters (an inline policy's limit)`, () => {
        const sizes = policyCharactersByRole(template, plan.regions.recovery);
        const roles = Object.fromEntries(
          Object.entries(familyRoles(template)).map(([family, role]) => [role, family]),
        );
        expect(Object.keys(sizes).length).toBeGreaterThan(0);

        const tooBig = Object.entries(sizes)
          .filter(([, characters]) => characters > MAX_INLINE_POLICY_CHARACTERS)
          .map(([role, characters]) => ({ role: roles[role] ?? role, characters }));

        expect(tooBig).toEqual([]);
      });

      it('needs no managed policy split off a role policy CDK finds too big', () => {
        const overflow = Object.entries(template.Resources)
          .filter(([, resource]) => resource.Type === 'AWS::IAM::ManagedPolicy')
          .map(([id]) => id);

        expect(overflow).toEqual([]);
      });
    },
  );
});
