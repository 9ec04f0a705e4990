// The traffic family's SDK client. Route 53 is a global service: the client is created with the
// plan's recovery region and the SDK signs for Route 53's own (global) endpoint.
import { Route53Client } from '@aws-sdk/client-route-53';
import { clientsPerRegion } from '../shared/clients.ts';

export interface TrafficClients {
  route53: Route53Client;
}

export const trafficClientsFor = clientsPerRegion((config) => ({ route53: new Route53Client(config) }));
