// Lambda entry point of the compute step family.
import { familyHandler } from '../shared/family-handler.ts';
import { computeClientsFor } from './clients.ts';
import { computeSteps } from './steps.ts';

export const handler = familyHandler('compute', computeSteps, computeClientsFor);
