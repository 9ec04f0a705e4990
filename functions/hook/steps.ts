// The hook family: each resource type's actions (functions/hook/types/<type>.ts).
//   lambda-hook: a function of the user's, invoked "start" then "check" until done, and
//                "revert" after a drill (functions/hook/hook-contract.ts).
import type { FamilySteps } from '../shared/family-handler.ts';
import type { HookClients } from './clients.ts';
import { lambdaHookSteps } from './types/lambda-hook.ts';

export const hookSteps: FamilySteps<HookClients> = {
  'lambda-hook': lambdaHookSteps,
};
