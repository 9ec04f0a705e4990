// The database family: dispatches each action on the plan's strategy and the run's mode.
//   promote-read-replica:     failover promotes the replica; a drill restores the newest snapshot
//                             to a temporary instance and deletes it on revert.
//   restore-latest-snapshot:  failover restores to database.restoredInstanceId; a drill restores
//                             to a temporary instance.
//   none:                     nothing to do (active-active).
import { InvalidStepInputError } from '../shared/errors.ts';
import type { FamilySteps } from '../shared/family-handler.ts';
import type { StepEvent } from '../shared/step-contract.ts';
import { checkProgress } from './check.ts';
import type { DatabaseClients } from './clients.ts';
import { startPromotion } from './promote.ts';
import { readiness } from './readiness.ts';
import { restoreNewestSnapshot } from './restore-snapshot.ts';
import { restoreRequestFor } from './restore-target.ts';
import { revertDrill } from './revert.ts';
import { nothingToDo, type ProgressAction } from './state.ts';

const NOTHING = 'database strategy "none": nothing to do';

function requireMode(event: StepEvent, action: ProgressAction, allowed: readonly string[]): void {
  if (!allowed.includes(event.run.mode)) {
    throw new InvalidStepInputError(
      `database ${action} cannot run in ${event.run.mode} mode (only ${allowed.join(' or ')})`,
      'execution input',
    );
  }
}

export const databaseSteps: FamilySteps<DatabaseClients> = {
  readiness,

  async start(event, clients, context) {
    requireMode(event, 'start', ['drill', 'failover']);
    const database = event.plan.database;
    if (database.strategy === 'none') return nothingToDo('start', NOTHING);
    if (event.run.mode === 'failover' && database.strategy === 'promote-read-replica') {
      return startPromotion(event, database, clients, context);
    }
    return restoreNewestSnapshot(event, clients, context, await restoreRequestFor(event, clients));
  },

  async check(event, clients, context) {
    if (event.plan.database.strategy === 'none') return nothingToDo('check', NOTHING);
    return checkProgress(event, clients, context);
  },

  async revert(event, clients, context) {
    requireMode(event, 'revert', ['drill']);
    if (event.plan.database.strategy === 'none') return nothingToDo('revert', NOTHING);
    return revertDrill(event, clients, context);
  },
};
