// The traffic family's four actions, dispatched on the plan's strategy and the run's mode.
import { InvalidStepInputError } from '../shared/errors.ts';
import type { FamilySteps } from '../shared/family-handler.ts';
import type { StepEvent } from '../shared/step-contract.ts';
import { checkTraffic } from './check.ts';
import type { TrafficClients } from './clients.ts';
import { startDrill } from './drill.ts';
import { trafficReadiness } from './readiness.ts';
import { revertDrill } from './revert.ts';
import { failoverUpsertRecords } from './upsert-records.ts';
import { failoverWeighted } from './weighted.ts';

function refuse(event: StepEvent, why: string): never {
  throw new InvalidStepInputError(`traffic ${event.action} ${why}`, `plan ${event.plan.name}`);
}

export const trafficSteps: FamilySteps<TrafficClients> = {
  readiness: trafficReadiness,

  async start(event, clients, context) {
    switch (event.run.mode) {
      case 'dry-run':
        return refuse(event, 'does nothing in dry-run mode: a dry-run only runs readiness');
      case 'drill':
        return startDrill(event, clients, context);
      case 'failover':
        return event.plan.traffic.strategy === 'weighted'
          ? failoverWeighted(event, clients, context)
          : failoverUpsertRecords(event, clients, context);
    }
  },

  check: checkTraffic,

  async revert(event, clients, context) {
    if (event.run.mode !== 'drill') {
      return refuse(
        event,
        `undoes drills only, not a ${event.run.mode}: a failover is undone by failing back`,
      );
    }
    return revertDrill(event, clients, context);
  },
};
