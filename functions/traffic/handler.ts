// Lambda entry point of the traffic family: Route 53 readiness, failover, drill and drill revert.
import { familyHandler } from '../shared/family-handler.ts';
import { trafficClientsFor } from './clients.ts';
import { trafficSteps } from './steps.ts';

export const handler = familyHandler('traffic', trafficSteps, trafficClientsFor);
