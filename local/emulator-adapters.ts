// Adapters between the real step logic and the moto emulator, installed as SDK middleware on the
// clients the steps create (functions/shared/clients.ts). Each adapts one documented gap of moto
// 5.x to what AWS does, so the step logic runs unchanged; each use is reported, never hidden. The
// same hook simulates a regional outage: every request to the failed region fails like a network
// error would.
import type { ExecutionInfo } from '../functions/lock/executions.ts';
import type { ClientCustomizer, CustomizableClient } from '../functions/shared/clients.ts';
import { localRoutingControls } from './arc-cluster.ts';
import {
  auroraGlobalFailover,
  dynamodbGlobalTables,
  forgetGlobalFailovers,
} from './global-database-adapters.ts';
import { localAlarmEvaluation, localHealthChecks } from './health-check-failover.ts';
import { localHooks } from './hook-adapter.ts';
import { describeExecutionOutput } from './local-executions.ts';

/** The local Step Functions the runbook's own execution calls are answered from. */
export interface LocalStepFunctions {
  describe(arn: string): ExecutionInfo | undefined;
  stop(arn: string, cause?: string): boolean;
}

/** A fault a test injects between the SDK and the emulator: the error to throw, or undefined. */
export type FaultInjector = (command: string, region: string) => Error | undefined;

export interface EmulatorScenario {
  /** Faults only tests install (the fault matrix over HTTP); each injected fault is counted. */
  inject?: FaultInjector;
  /** Answers the runbook's Step Functions calls about its own executions (moto's do not execute). */
  executions?: LocalStepFunctions;
  /** Requests to this region's endpoints fail as in a regional outage. */
  outageRegion?: string;
  /**
   * Global control planes that fail too, by SDK service id: those served from us-east-1 (Route 53's
   * API) go down with it, and route53-control-plane-outage takes down Route 53's API alone.
   */
  outageServices?: readonly string[];
  /** Whether the endpoint is moto (its gaps are adapted) or something that behaves like AWS. */
  moto?: boolean;
  /** DynamoDB global tables the plan names: table → its replica regions (moto keeps one region). */
  globalTables?: Record<string, string[]>;
  /** Answers Lambda invocations of the plan's hook functions (moto's Lambda needs Docker). */
  hooks?: (functionArn: string, payload: unknown) => unknown;
}

/** What the adapters did, for the simulation's report. */
export class AdapterLog {
  readonly notes = new Set<string>();
  /** Requests refused because their region (or the control plane they need) was down. */
  blockedRequests = 0;
  /** The same, by what refused them: "us-east-1 (regional endpoints)", "Route 53 API (global, served from us-east-1)". */
  readonly blockedBy = new Map<string, number>();
  /** Requests a test's fault injector failed. */
  injectedFaults = 0;
}

export type Output = Record<string, unknown>;
type Next = (args: unknown) => Promise<{ output: Output }>;
type Context = { commandName?: string };
type InitializeMiddleware = (
  next: Next,
  context: Context,
) => (args: { input: Output }) => Promise<{ output: Output }>;

export function addInitialize(
  client: CustomizableClient,
  name: string,
  middleware: InitializeMiddleware,
): void {
  (client.middlewareStack.add as unknown as (m: InitializeMiddleware, o: object) => void)(middleware, {
    step: 'initialize',
    name,
  });
}

/**
 * The run the adapters currently serve. Step clients are created once per process and keep their
 * middleware, so each run activates its own scenario and log here instead of installing new ones.
 */
const active: { scenario: EmulatorScenario; log: AdapterLog } = { scenario: {}, log: new AdapterLog() };

/** The scenario and log of the run being served (for the adapters in other files). */
export function activeRun(): { scenario: EmulatorScenario; log: AdapterLog } {
  return active;
}

/**
 * Instances this run promoted: AWS clears their replica source, moto 5 never does. Forgotten when
 * the next run starts (activateRun): moto may have been reset in between, and an instance of the
 * same name created again is a replica again.
 */
const promoted = new Set<string>();

/** Starts serving a run (its scenario can change during the run, e.g. when the outage begins). */
export function activateRun(scenario: EmulatorScenario, log: AdapterLog): void {
  active.scenario = scenario;
  active.log = log;
  promoted.clear();
  forgetGlobalFailovers();
}

/** Back to pass-through: no outage, no adaptation. */
export function deactivateRun(): void {
  activateRun({}, new AdapterLog());
}

/** The launch template version each instance was launched from: moto reports the default version. */
const instanceVersions = new Map<string, string>();

const controlPlaneLabel = (service: string) => `${service} API (global control plane, served from us-east-1)`;
const regionLabel = (region: string) => `${region} (regional endpoints)`;

/** What a scenario's outage blocks, as the log counts refusals by it. */
export function outageLabels(scenario: EmulatorScenario): string[] {
  return [
    ...(scenario.outageRegion ? [regionLabel(scenario.outageRegion)] : []),
    ...(scenario.outageServices ?? []).map(controlPlaneLabel),
  ];
}

/** What an outage refuses a client's request by: its global control plane, or its region. */
function outageOf(service: string, region: string): string | undefined {
  if (active.scenario.outageServices?.includes(service)) return controlPlaneLabel(service);
  if (GLOBAL_SERVICES.has(service)) return undefined;
  return active.scenario.outageRegion === region ? regionLabel(region) : undefined;
}

/** Services whose API is global: a client's configured region does not say where it is served. */
const GLOBAL_SERVICES = new Set(['Route 53', 'IAM']);

function regionalOutage(client: CustomizableClient, region: string) {
  const service = serviceOf(client);
  addInitialize(client, 'drRunbookRegionalOutage', (next, context) => async (args) => {
    const fault = active.scenario.inject?.(String(context.commandName ?? '').replace(/Command$/, ''), region);
    if (fault) {
      active.log.injectedFaults += 1;
      throw fault;
    }
    const refusedBy = outageOf(service, region);
    if (refusedBy) {
      active.log.blockedRequests += 1;
      active.log.blockedBy.set(refusedBy, (active.log.blockedBy.get(refusedBy) ?? 0) + 1);
      throw Object.assign(
        new Error(`connect ETIMEDOUT (simulated outage of ${refusedBy}: ${context.commandName})`),
        {
          name: 'TimeoutError',
          code: 'ETIMEDOUT',
          $metadata: {},
        },
      );
    }
    return next(args);
  });
}

function rdsPromotion(client: CustomizableClient) {
  addInitialize(client, 'drRunbookMotoPromotion', (next, context) => async (args) => {
    const result = await next(args);
    if (!active.scenario.moto) return result;
    if (context.commandName === 'PromoteReadReplicaCommand') {
      promoted.add(String(args.input.DBInstanceIdentifier));
    }
    if (context.commandName === 'DescribeDBInstancesCommand') {
      for (const db of (result.output.DBInstances as Output[] | undefined) ?? []) {
        if (promoted.has(String(db.DBInstanceIdentifier)) && db.ReadReplicaSourceDBInstanceIdentifier) {
          delete db.ReadReplicaSourceDBInstanceIdentifier;
          active.log.notes.add(
            'moto keeps ReadReplicaSourceDBInstanceIdentifier after PromoteReadReplica: cleared as AWS does',
          );
        }
      }
    }
    return result;
  });
}

function asgInstanceVersions(client: CustomizableClient) {
  addInitialize(client, 'drRunbookMotoInstanceVersions', (next, context) => async (args) => {
    const result = await next(args);
    if (!active.scenario.moto || context.commandName !== 'DescribeAutoScalingGroupsCommand') return result;
    for (const group of (result.output.AutoScalingGroups as Output[] | undefined) ?? []) {
      const groupVersion = (group.LaunchTemplate as Output | undefined)?.Version as string | undefined;
      for (const instance of (group.Instances as Output[] | undefined) ?? []) {
        const id = String(instance.InstanceId);
        if (!instanceVersions.has(id) && groupVersion) instanceVersions.set(id, groupVersion);
        const launchTemplate = instance.LaunchTemplate as Output | undefined;
        const version = instanceVersions.get(id);
        if (launchTemplate && version && launchTemplate.Version !== version) {
          launchTemplate.Version = version;
          active.log.notes.add(
            "moto reports every instance on the template's default version: each is given the version it launched from",
          );
        }
      }
    }
    return result;
  });
}

/** Versions "deleted" through the adapter below (moto keeps them): later reads no longer list them. */
const deletedVersions = new Set<string>();

function launchTemplateVersionDeletion(client: CustomizableClient) {
  addInitialize(client, 'drRunbookMotoDeleteVersions', (next, context) => async (args) => {
    if (active.scenario.moto && context.commandName === 'DescribeLaunchTemplateVersionsCommand') {
      const result = await next(args);
      const all = (result.output.LaunchTemplateVersions as Output[] | undefined) ?? [];
      const kept = all.filter(
        (v) => !deletedVersions.has(`${String(v.LaunchTemplateId)}:${String(v.VersionNumber)}`),
      );
      if (kept.length === all.length) return result;
      if (kept.length === 0 && (args.input.Versions as string[] | undefined)?.length) {
        throw Object.assign(new Error('Could not find the launch template version (deleted)'), {
          name: 'InvalidLaunchTemplateId.VersionNotFound',
          $metadata: { httpStatusCode: 400 },
        });
      }
      return { ...result, output: { ...result.output, LaunchTemplateVersions: kept } };
    }
    if (!active.scenario.moto || context.commandName !== 'DeleteLaunchTemplateVersionsCommand')
      return next(args);
    const versions = (args.input.Versions as string[] | undefined) ?? [];
    for (const v of versions) deletedVersions.add(`${String(args.input.LaunchTemplateId)}:${v}`);
    active.log.notes.add(
      `moto does not implement DeleteLaunchTemplateVersions: version ${versions.join(', ')} of ${String(
        args.input.LaunchTemplateId,
      )} stays in the emulator (AWS deletes it); later reads no longer list it, as in AWS`,
    );
    return {
      output: {
        $metadata: {},
        SuccessfullyDeletedLaunchTemplateVersions: versions.map((v) => ({
          LaunchTemplateId: args.input.LaunchTemplateId,
          VersionNumber: Number(v),
        })),
        UnsuccessfullyDeletedLaunchTemplateVersions: [],
      },
    };
  });
}

/** moto's Step Functions never runs an execution: the runbook's own are the local registry's. */
function localExecutions(client: CustomizableClient) {
  addInitialize(client, 'drRunbookLocalExecutions', (next, context) => async (args) => {
    const executions = active.scenario.executions;
    if (!executions) return next(args);
    const arn = String(args.input.executionArn ?? '');
    active.log.notes.add(
      "Step Functions calls about the runbook's own executions (DescribeExecution, StopExecution) were answered by the local execution registry: moto's Step Functions does not execute",
    );
    if (context.commandName === 'DescribeExecutionCommand') {
      const found = executions.describe(arn);
      if (!found)
        throw Object.assign(new Error(`Execution Does Not Exist: '${arn}'`), {
          name: 'ExecutionDoesNotExist',
          $metadata: { httpStatusCode: 400 },
        });
      return { output: { $metadata: {}, ...describeExecutionOutput(arn, found) } };
    }
    if (context.commandName === 'StopExecutionCommand') {
      executions.stop(arn, String(args.input.cause ?? ''));
      return { output: { $metadata: {}, stopDate: new Date() } };
    }
    return next(args);
  });
}

function serviceOf(client: CustomizableClient): string {
  return (client as unknown as { config?: { serviceId?: string } }).config?.serviceId ?? '';
}

/** The customizer installed for local runs: adapters that follow the active run (see activateRun). */
export const emulatorAdapters: ClientCustomizer = (client, region) => {
  regionalOutage(client, region);
  const service = serviceOf(client);
  if (service === 'RDS') rdsPromotion(client);
  if (service === 'Auto Scaling') asgInstanceVersions(client);
  if (service === 'EC2') launchTemplateVersionDeletion(client);
  if (service === 'SFN') localExecutions(client);
  if (service === 'DynamoDB') dynamodbGlobalTables(client);
  if (service === 'RDS') auroraGlobalFailover(client);
  if (service === 'Lambda') localHooks(client);
  if (service === 'Route53 Recovery Cluster') localRoutingControls(client);
  if (service === 'CloudWatch') localAlarmEvaluation(client);
  if (service === 'Route 53') localHealthChecks(client);
};
