// Lambda entry point of the hook step family: readiness, start, check, revert.
import { familyHandler } from '../shared/family-handler.ts';
import { hookClientsFor } from './clients.ts';
import { hookSteps } from './steps.ts';

export const handler = familyHandler('hook', hookSteps, hookClientsFor);
