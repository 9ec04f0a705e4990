// A small stateful in-memory AWS for the runbook tests, installed on every client class the step
// families and the state machine's DynamoDB tasks use (sendThrough says why not with
// aws-sdk-client-mock). Reads answer from the state, mutations change it, every call is logged, and
// any command can be made to fail. Each service's
// behaviour lives in its own module (fake-database, fake-ec2, fake-auto-scaling, fake-route53,
// fake-dynamodb). Optional timing (fake-handler.ts) makes the control planes take time, read from a
// clock (the benchmark's virtual clock); without it every operation completes as soon as it is
// next looked at.
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { KMSClient } from '@aws-sdk/client-kms';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { RDSClient } from '@aws-sdk/client-rds';
import { type ResourceRecordSet, Route53Client } from '@aws-sdk/client-route-53';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { type Environment, first } from './environments.ts';
import { FakeAutoScaling, type Group } from './fake-auto-scaling.ts';
import { type DbInstance, FakeCloudWatch, FakeKms, FakeRds } from './fake-database.ts';
import { FakeDynamoDb, FakeS3, FakeSns } from './fake-dynamodb.ts';
import type { Item } from './fake-dynamodb-expressions.ts';
import { FakeEc2, type LaunchTemplate } from './fake-ec2.ts';
import type { CommandClass, FakeTiming, Handler } from './fake-handler.ts';
import { FakeRoute53, fqdn, type Zone } from './fake-route53.ts';
import { FakeStepFunctions } from './fake-step-functions.ts';

export type Service =
  | 'rds'
  | 'cloudwatch'
  | 'autoscaling'
  | 'ec2'
  | 'kms'
  | 'route53'
  | 'dynamodb'
  | 'sns'
  | 'sfn'
  | 's3'
  | 'lambda';

export interface Call {
  readonly service: Service;
  /** The command name without "Command", e.g. "PromoteReadReplica". */
  readonly command: string;
  readonly input: unknown;
}

interface Failure {
  readonly command: string;
  readonly error: () => Error;
  readonly when: (input: never) => boolean;
  remaining: number;
}

const READ_ONLY = /^(Describe|List|Get|Query|Scan)/;

export class FakeAws {
  /** Every call sent to any client, in order (including the ones made to fail). */
  readonly calls: Call[] = [];
  readonly rds: FakeRds;
  readonly cloudwatch: FakeCloudWatch;
  readonly ec2: FakeEc2;
  readonly kms = new FakeKms();
  readonly autoScaling: FakeAutoScaling;
  readonly route53: FakeRoute53;
  readonly dynamodb: FakeDynamoDb;
  readonly sns = new FakeSns();
  readonly stepFunctions = new FakeStepFunctions();
  readonly s3 = new FakeS3();
  private readonly failures: Failure[] = [];

  constructor(
    readonly environment: Environment,
    /** The lock and history table. */
    tableName: string,
    now = new Date(),
    timing: FakeTiming = {},
  ) {
    this.rds = new FakeRds(environment, now, timing);
    this.cloudwatch = new FakeCloudWatch(environment, now);
    this.ec2 = new FakeEc2(environment, now);
    this.autoScaling = new FakeAutoScaling(environment, this.ec2, timing);
    this.route53 = new FakeRoute53(environment, timing);
    this.dynamodb = new FakeDynamoDb(tableName);
  }

  /** Installs the fake on every client class (replacing any earlier fake of them). */
  install(): this {
    this.serve(RDSClient, 'rds', this.rds.handlers());
    this.serve(CloudWatchClient, 'cloudwatch', this.cloudwatch.handlers());
    this.serve(AutoScalingClient, 'autoscaling', this.autoScaling.handlers());
    this.serve(EC2Client, 'ec2', this.ec2.handlers());
    this.serve(KMSClient, 'kms', this.kms.handlers());
    this.serve(Route53Client, 'route53', this.route53.handlers());
    this.serve(DynamoDBClient, 'dynamodb', this.dynamodb.handlers());
    this.serve(SNSClient, 'sns', this.sns.handlers());
    this.serve(SFNClient, 'sfn', this.stepFunctions.handlers());
    this.serve(S3Client, 's3', this.s3.handlers());
    // No hook function in the fake: a plan with a lambda-hook fails loudly instead of calling AWS.
    this.serve(LambdaClient, 'lambda', []);
    return this;
  }

  // ---- arrangement

  /** Makes `command` (e.g. "PromoteReadReplica") throw, `times` times (default: every time). */
  fail(
    command: string,
    error: () => Error,
    options: { times?: number; when?: (input: never) => boolean } = {},
  ) {
    const remaining = options.times ?? Number.POSITIVE_INFINITY;
    this.failures.push({ command, error, when: options.when ?? (() => true), remaining });
  }

  seedItem(item: Item): void {
    this.dynamodb.seed(item);
  }

  // ---- what assertions read

  /** Every call that could change something (anything but Describe*, List*, Get*), of these services. */
  mutatingCalls(...services: Service[]): Call[] {
    return this.calls.filter(
      (call) => !READ_ONLY.test(call.command) && (services.length === 0 || services.includes(call.service)),
    );
  }

  callsOf(command: string): Call[] {
    return this.calls.filter((call) => call.command === command);
  }

  /** A read replica (by id; default: the environment's first) as it is now, or undefined once gone. */
  replica(id = first(this.environment.replicas, 'replica').replicaId): DbInstance | undefined {
    return this.rds.instances.get(id);
  }

  /** A standby group by name (default: the environment's first). */
  group(name = first(this.environment.groups, 'group').name): Group {
    const group = this.autoScaling.groups.get(name);
    if (!group) throw new Error(`the group ${name} is gone from the fake`);
    return group;
  }

  /** A group's capacity as min/desired/max (default: the environment's first group). */
  capacity(name?: string): { min: number; desired: number; max: number } {
    const { min, desired, max } = this.group(name);
    return { min, desired, max };
  }

  /** A launch template by id (default: the environment's first group's). */
  template(id = first(this.environment.groups, 'group').launchTemplate.id): LaunchTemplate {
    const template = this.ec2.templates.get(id);
    if (!template) throw new Error(`the launch template ${id} is gone from the fake`);
    return template;
  }

  /** A hosted zone by id (default: the environment's first). */
  zone(id = first(this.environment.zones, 'hosted zone').id): Zone {
    return this.route53.zone(id);
  }

  /** A record set of any zone by name (without the trailing dot) and type (and set identifier). */
  record(name: string, type: string, setIdentifier?: string): ResourceRecordSet | undefined {
    for (const zone of this.route53.zones.values()) {
      const found = zone.records.find(
        (set) => set.Name === fqdn(name) && set.Type === type && set.SetIdentifier === setIdentifier,
      );
      if (found) return found;
    }
    return undefined;
  }

  /** Every record name a change batch wrote or deleted, without the trailing dot. */
  namesChanged(): string[] {
    return this.route53.changeBatches.flatMap((batch) => batch.changes.map((c) => c.name.replace(/\.$/, '')));
  }

  lockItem(): Item | undefined {
    return this.dynamodb.items.get(`LOCK#${this.environment.plan}|LOCK`);
  }

  historyItems(): Item[] {
    return [...this.dynamodb.items.values()].filter((item) => item.pk?.S === `RUN#${this.environment.plan}`);
  }

  private serve(Client: ClientClass, service: Service, handlers: Handler[]): void {
    const byCommand = new Map<CommandClass, readonly [string, (input: never) => unknown]>(
      handlers.map(([Command, handle]) => [Command, [Command.name.replace(/Command$/, ''), handle]]),
    );
    sendThrough(Client, async (sent) => {
      const { input } = sent;
      const served = byCommand.get(sent.constructor as CommandClass);
      if (!served) {
        throw new Error(`the fake AWS does not implement this ${service} command: ${JSON.stringify(input)}`);
      }
      const [command, handle] = served;
      this.calls.push({ service, command, input: structuredClone(input) });
      const failure = this.failures.find(
        (f) => f.command === command && f.remaining > 0 && f.when(input as never),
      );
      if (failure) {
        failure.remaining -= 1;
        throw failure.error();
      }
      return structuredClone(handle(input as never));
    });
  }
}

// biome-ignore lint/suspicious/noExplicitAny: clients of different services have unrelated type parameters
type ClientClass = { prototype: { send: (...args: any[]) => Promise<unknown> } };

/**
 * Every `send` of any instance of `Client` answered by `answer`, in place of any earlier answer. The
 * same as aws-sdk-client-mock's `mockClient(Client).on(Command).callsFake(...)` for each handler, but
 * one map lookup per call: sinon's argument matching and call recording were a third of the CPU of
 * the fault matrix (hundreds of runs of thousands of calls each), and these fakes never read them.
 */
function sendThrough(
  Client: ClientClass,
  answer: (command: { constructor: unknown; input: unknown }) => Promise<unknown>,
) {
  Client.prototype.send = (command: { constructor: unknown; input: unknown }) => answer(command);
}

/** A fresh fake of `environment`, installed on every client. */
export function installFakeAws(
  environment: Environment,
  tableName: string,
  now = new Date(),
  timing: FakeTiming = {},
): FakeAws {
  return new FakeAws(environment, tableName, now, timing).install();
}
