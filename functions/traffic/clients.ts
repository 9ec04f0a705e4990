// The traffic family's SDK clients. Route 53 is a global service: its client is created with the
// plan's recovery region and the SDK signs for Route 53's own (global) endpoint. An ARC cluster is
// reached through its regional endpoints, one client each (signed for the endpoint's region):
// routing-controls.ts tries them in turn, so each client makes only two attempts of its own.
import { Route53Client } from '@aws-sdk/client-route-53';
import { Route53RecoveryClusterClient } from '@aws-sdk/client-route53-recovery-cluster';
import { clientConfig, clientsPerRegion, customizeClient } from '../shared/clients.ts';

/** One of an ARC cluster's regional endpoints, as the plan lists it. */
export interface ClusterEndpoint {
  readonly region: string;
  readonly url: string;
}

export interface TrafficClients {
  route53: Route53Client;
  /** The client of one cluster endpoint (memoized, so a warm Lambda reuses its connection). */
  routingControl(endpoint: ClusterEndpoint): Route53RecoveryClusterClient;
}

/** Attempts per endpoint: the next endpoint is the better retry once one has failed twice. */
const ATTEMPTS_PER_ENDPOINT = 2;

const endpointClients = new Map<string, Route53RecoveryClusterClient>();

function routingControl(endpoint: ClusterEndpoint): Route53RecoveryClusterClient {
  let client = endpointClients.get(endpoint.url);
  if (!client) {
    client = new Route53RecoveryClusterClient({
      ...clientConfig(endpoint.region),
      maxAttempts: ATTEMPTS_PER_ENDPOINT,
      endpoint: endpoint.url,
    });
    customizeClient(client, endpoint.region);
    endpointClients.set(endpoint.url, client);
  }
  return client;
}

export const trafficClientsFor = clientsPerRegion((config) => ({
  route53: new Route53Client(config),
  routingControl,
}));
