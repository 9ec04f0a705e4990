// Pulls the state machine definition (ASL) out of a synthesized template, replacing the
// CloudFormation references in it with concrete local names, and tells which Lambda is which.
import type { CloudFormationTemplate } from './synthesize.ts';

export const LOCAL_ACCOUNT = '123456789012';

export interface ExtractedRunbook {
  /** The Amazon States Language definition, as deployed. */
  readonly definition: AslDefinition;
  /** Local ARN of each step function → its family (database, compute, traffic, runbook). */
  readonly familyByFunctionArn: Record<string, string>;
  /** Physical name used for the lock/history table. */
  readonly tableName: string;
}

export interface AslDefinition {
  StartAt: string;
  States: Record<string, AslState>;
  [key: string]: unknown;
}

export interface AslState {
  Type: string;
  Resource?: string;
  Branches?: AslDefinition[];
  [key: string]: unknown;
}

type Part = string | { Ref?: string; 'Fn::GetAtt'?: [string, string] };

/** Physical names to use for referenced resources (e.g. the emulator's table), by resource type. */
export interface PhysicalNames {
  /** The name the DynamoDB table's Ref resolves to. @default its logical id */
  tableName?: string;
}

function localValue(
  part: Part,
  template: CloudFormationTemplate,
  region: string,
  names: PhysicalNames,
): string {
  if (typeof part === 'string') return part;
  if (part.Ref === 'AWS::Partition') return 'aws';
  if (part.Ref === 'AWS::Region') return region;
  if (part.Ref === 'AWS::AccountId') return LOCAL_ACCOUNT;
  if (part.Ref === 'AWS::URLSuffix') return 'amazonaws.com';
  if (part.Ref && template.Resources[part.Ref]?.Type === 'AWS::DynamoDB::Table' && names.tableName)
    return names.tableName;
  if (part.Ref) return part.Ref; // a table, topic, …: its logical id is its local name
  const getAtt = part['Fn::GetAtt'];
  if (getAtt && getAtt[1] === 'Arn') {
    const type = template.Resources[getAtt[0]]?.Type;
    if (type === 'AWS::Lambda::Function')
      return `arn:aws:lambda:${region}:${LOCAL_ACCOUNT}:function:${getAtt[0]}`;
    return `arn:aws:local:${region}:${LOCAL_ACCOUNT}:${getAtt[0]}`;
  }
  throw new Error(`unsupported reference in the state machine definition: ${JSON.stringify(part)}`);
}

export function extractRunbook(
  template: CloudFormationTemplate,
  region: string,
  names: PhysicalNames = {},
): ExtractedRunbook {
  const machines = Object.values(template.Resources).filter(
    (r) => r.Type === 'AWS::StepFunctions::StateMachine',
  );
  if (machines.length !== 1)
    throw new Error(`expected one state machine in the template, found ${machines.length}`);
  const raw = machines[0]?.Properties?.DefinitionString as string | { 'Fn::Join': [string, Part[]] };
  const text =
    typeof raw === 'string'
      ? raw
      : raw['Fn::Join'][1].map((p) => localValue(p, template, region, names)).join(raw['Fn::Join'][0]);

  const familyByFunctionArn: Record<string, string> = {};
  let tableName = '';
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (resource.Type === 'AWS::Lambda::Function') {
      const env = (resource.Properties?.Environment as { Variables?: Record<string, string> } | undefined)
        ?.Variables;
      const family = env?.DR_RUNBOOK_FAMILY;
      if (family)
        familyByFunctionArn[`arn:aws:lambda:${region}:${LOCAL_ACCOUNT}:function:${logicalId}`] = family;
    }
    if (resource.Type === 'AWS::DynamoDB::Table') tableName = names.tableName ?? logicalId;
  }
  return { definition: JSON.parse(text) as AslDefinition, familyByFunctionArn, tableName };
}

/** Every Task state, including those inside Parallel branches, by name. */
export function taskStates(definition: AslDefinition): Record<string, AslState> {
  const tasks: Record<string, AslState> = {};
  for (const [name, state] of Object.entries(definition.States)) {
    if (state.Type === 'Task') tasks[name] = state;
    for (const branch of state.Branches ?? []) Object.assign(tasks, taskStates(branch));
  }
  return tasks;
}
