// Lambda entry point of the database step family: readiness, start, check, revert.
import { familyHandler } from '../shared/family-handler.ts';
import { databaseClientsFor } from './clients.ts';
import { databaseSteps } from './steps.ts';

export const handler = familyHandler('database', databaseSteps, databaseClientsFor);
