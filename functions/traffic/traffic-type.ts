// What every traffic type shares: readiness of its records, a drill that writes its drill record
// (reverted by deleting it), check until INSYNC. A type supplies only its record checks, where its
// drill record comes from, and its failover change (a switchover makes the same change).
import type { ResourceSteps } from '../shared/family-handler.ts';
import type { ProgressResult, StepContext } from '../shared/step-contract.ts';
import { checkTraffic } from './check.ts';
import type { TrafficClients } from './clients.ts';
import { type DrillSource, startDrill } from './drill.ts';
import { type RecordChecks, trafficReadiness } from './readiness.ts';
import { revertDrill } from './revert.ts';
import { requireMode, type TrafficState } from './state.ts';
import type { TrafficEvent, TrafficResource } from './zone.ts';

export interface TrafficType<R extends TrafficResource> {
  recordChecks(event: TrafficEvent<R>): RecordChecks;
  drillSource(event: TrafficEvent<R>): DrillSource;
  failover(
    event: TrafficEvent<R>,
    clients: TrafficClients,
    context: StepContext,
  ): Promise<ProgressResult<TrafficState>>;
}

export function trafficTypeSteps<R extends TrafficResource>(
  type: TrafficType<R>,
): ResourceSteps<R, TrafficClients> {
  return {
    expectedSeconds(resource) {
      return resource.expectedSyncSeconds;
    },

    readiness(event, clients) {
      return trafficReadiness(event, clients, type.recordChecks(event));
    },

    async start(event, clients, context) {
      requireMode(event, 'start', ['drill', 'failover', 'switchover'], 'a dry-run only runs readiness');
      return event.run.mode === 'drill'
        ? startDrill(event, clients, context, type.drillSource(event))
        : type.failover(event, clients, context);
    },

    check: checkTraffic,

    revert(event, clients, context) {
      return revertDrill(event, clients, context, type.drillSource(event));
    },
  };
}
