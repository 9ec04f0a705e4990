// The one piece of framework code: a middy handler that validates the event and dispatches the
// action to a family's pure step functions. Family handler files are a single call to this.
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { formatIssues } from '../../plan/format-issues.ts';
import { familyOf } from '../../plan/resources/families.ts';
import { resourceById } from '../../plan/steps.ts';
import type { ClientProfile } from './clients.ts';
import { enforceDeadline } from './deadlines.ts';
import { InvalidStepInputError, TransientAwsError } from './errors.ts';
import {
  type Change,
  type Family,
  type FenceResult,
  type Mode,
  type ProgressResult,
  type ReadinessResult,
  type ResourceEvent,
  type StepContext,
  type StepEvent,
  type StepResult,
  stepEventSchema,
} from './step-contract.ts';

/** One resource type's actions; R is the type's plan entry, C the family's clients. */
export interface ResourceSteps<R, C> {
  /** Expected duration of start → done in this mode, for the step's deadline (docs/design.md). */
  expectedSeconds(resource: R, mode: Mode): number;
  readiness(event: ResourceEvent<R>, clients: C, context: StepContext): Promise<ReadinessResult>;
  start(event: ResourceEvent<R>, clients: C, context: StepContext): Promise<ProgressResult>;
  check(event: ResourceEvent<R>, clients: C, context: StepContext): Promise<ProgressResult>;
  revert(event: ResourceEvent<R>, clients: C, context: StepContext): Promise<ProgressResult>;
  /**
   * Stops the old primary of this resource from taking writes or serving, in the primary region,
   * with `clients` of that region made for fencing (one short attempt). Throw on any error: the
   * handler records it as not-reachable (transient: the region did not answer) or failed. A type
   * without it has nothing to fence.
   */
  fence?(
    event: ResourceEvent<R>,
    clients: C,
    context: StepContext,
  ): Promise<Omit<FenceResult, 'family' | 'action'>>;
}

/** A family's resource types: type name → its actions (functions/<family>/steps.ts). */
// biome-ignore lint/suspicious/noExplicitAny: each entry is typed by its own resource schema
export type FamilySteps<C> = Record<string, ResourceSteps<any, C>>;

/** Validates a raw event; a bad one is an InvalidStepInputError listing every problem. */
export function parseStepEvent(raw: unknown): StepEvent {
  const parsed = stepEventSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw new InvalidStepInputError(
    `invalid step event: ${formatIssues(parsed.error, raw).join('; ')}`,
    'execution input',
  );
}

/** A family's clients of one region; `fence` asks for fencing's (one short attempt). */
export type ClientsFor<C> = (region: string, profile?: ClientProfile) => C;

/** Runs one action of a family on a raw event; exported for the local runner and tests. */
export async function runStep<C>(
  steps: FamilySteps<C>,
  clientsFor: ClientsFor<C>,
  raw: unknown,
  context: StepContext = { now: () => new Date() },
): Promise<StepResult> {
  return executeStep(steps, clientsFor, parseStepEvent(raw), context);
}

/** Runs a validated event: the action, then the deadline, carried measurements and timing. */
async function executeStep<C>(
  steps: FamilySteps<C>,
  clientsFor: ClientsFor<C>,
  event: StepEvent,
  context: StepContext = { now: () => new Date() },
): Promise<StepResult> {
  const { resource: id, ...rest } = event;
  const resource = resourceById(event.plan, id);
  const type = resource ? steps[resource.type] : undefined;
  if (!resource || !type) {
    throw new InvalidStepInputError(
      resource
        ? `resource "${id}" is of type "${resource.type}", which this family does not run (it runs ${Object.keys(steps).join(', ')})`
        : `resource "${id}" is not in plan ${event.plan.name} (its resources: ${event.plan.resources.map((r) => r.id).join(', ')})`,
      'execution input',
    );
  }
  const resourceEvent = { ...rest, resourceId: id, resource };
  const stamp = { resource: id, type: resource.type };
  if (event.action === 'fence') {
    return { ...(await fenceStep(type, resourceEvent, clientsFor, context)), ...stamp };
  }
  const result = await type[event.action](resourceEvent, clientsFor(event.plan.regions.recovery), context);
  if (!('done' in result)) {
    const ready = !result.checks.some((check) => check.status === 'fail');
    return { ...result, ...stamp, ready, evaluatedAt: context.now().toISOString() };
  }
  enforceDeadline(resourceEvent, type.expectedSeconds(resource, event.run.mode), result, context.now());
  return { ...withTiming(carryMeasurements(event, result), context.now()), ...stamp };
}

/**
 * Fencing is best effort and never fails the run: a type's error becomes its outcome, transient
 * (a region that did not answer within fencing's short timeout) as not-reachable, any other as
 * failed, each with the error's message.
 */
async function fenceStep<C>(
  // biome-ignore lint/suspicious/noExplicitAny: each type is typed by its own resource schema
  type: ResourceSteps<any, C>,
  event: ResourceEvent<{ type: string }>,
  clientsFor: ClientsFor<C>,
  context: StepContext,
): Promise<FenceResult> {
  const family = familyOf(event.resource);
  const fencedAt = context.now().toISOString();
  if (!type.fence) {
    return { family, action: 'fence', outcome: 'skipped', detail: 'nothing to fence', changes: [], fencedAt };
  }
  try {
    const result = await type.fence(event, clientsFor(event.plan.regions.primary, 'fence'), context);
    return { family, action: 'fence', ...result, fencedAt };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      family,
      action: 'fence',
      outcome: error instanceof TransientAwsError ? 'not-reachable' : 'failed',
      detail: message,
      changes: [],
      fencedAt,
    };
  }
}

/** Stamps when the operation started and when it was first seen done: the report's timeline. */
function withTiming(result: ProgressResult, now: Date): ProgressResult {
  const startedAt = typeof result.state.startedAt === 'string' ? result.state.startedAt : undefined;
  return {
    ...result,
    ...(startedAt ? { startedAt } : {}),
    ...(result.done ? { completedAt: now.toISOString() } : {}),
  };
}

/**
 * Measurements and changes accumulate along a start → check → check … loop: what start did and
 * measured (the promotion, the RPO at promotion, the snapshot age) is still in the last check's
 * result, which is what the report reads.
 */
function carryMeasurements(event: StepEvent, result: ProgressResult): ProgressResult {
  const earlier = event.state as
    | { measurements?: ProgressResult['measurements']; changes?: Change[] }
    | undefined;
  const measurements = { ...earlier?.measurements, ...result.measurements };
  const seen = new Set<string>();
  const changes = [...(earlier?.changes ?? []), ...result.changes].filter((change) => {
    const key = `${change.resource}|${change.action}|${change.detail}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return {
    ...result,
    changes,
    ...(Object.keys(measurements).length > 0 ? { measurements } : {}),
    state: { ...result.state, measurements, changes },
  };
}
export function familyHandler<C>(family: Family, steps: FamilySteps<C>, clientsFor: ClientsFor<C>) {
  const logger = new Logger({ serviceName: 'dr-runbook', persistentKeys: { family } });
  const metrics = new Metrics({ namespace: 'DrRunbook', serviceName: 'dr-runbook' });

  const handle = async (raw: unknown) => {
    const started = Date.now();
    const event = parseStepEvent(raw);
    logger.appendKeys({
      plan: event.plan.name,
      runId: event.run.id,
      mode: event.run.mode,
      action: event.action,
      resource: event.resource,
    });
    try {
      const result = await executeStep(steps, clientsFor, event);
      logger.info(
        `${event.resource} ${event.action} ${'done' in result ? (result.done ? 'done' : 'in progress') : 'evaluated'}`,
        {
          result,
        },
      );
      return result;
    } catch (error) {
      logger.error(`${event.resource} ${event.action} failed`, error as Error);
      throw error;
    } finally {
      metrics.addDimensions({ family, action: event.action, mode: event.run.mode });
      metrics.addMetric('StepDuration', MetricUnit.Milliseconds, Date.now() - started);
    }
  };

  return middy(handle)
    .use(injectLambdaContext(logger, { clearState: true }))
    .use(logMetrics(metrics));
}
