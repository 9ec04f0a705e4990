// The traffic family's SDK clients. Route 53 is a global service: its client is created with the
// plan's recovery region and the SDK signs for Route 53's own (global) endpoint. An ARC cluster is
// reached through its regional endpoints, one client each (signed for the endpoint's region):
// routing-controls.ts tries them in turn, so each client makes only two attempts of its own.
// route53-health-check-failover drives a CloudWatch alarm of the recovery region and reads DNS;
// its one Route 53 API read (readiness) goes through a client that gives up fast.
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { Route53Client } from '@aws-sdk/client-route-53';
import { Route53RecoveryClusterClient } from '@aws-sdk/client-route53-recovery-cluster';
import { clientConfig, clientsPerRegion, customizeClient } from '../shared/clients.ts';
import { type DnsResolver, dns } from '../shared/dns.ts';

/** One of an ARC cluster's regional endpoints, as the plan lists it. */
export interface ClusterEndpoint {
  readonly region: string;
  readonly url: string;
}

export interface TrafficClients {
  route53: Route53Client;
  /**
   * Route 53's API for reads that are only advice (readiness of health-check failover): one
   * attempt, short timeouts, so that a control plane that is down costs seconds, not a minute.
   */
  route53Advisory: Route53Client;
  /** CloudWatch in the recovery region: the alarms health checks watch, and their metrics. */
  cloudWatch: CloudWatchClient;
  dns: DnsResolver;
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

/** The advisory client's bounds: one attempt, connected in 2 s, answered in 3 s. */
export const ADVISORY_TIMEOUTS = { connectionTimeoutMs: 2_000, requestTimeoutMs: 3_000 } as const;

export const trafficClientsFor = clientsPerRegion((config) => ({
  route53: new Route53Client(config),
  route53Advisory: new Route53Client({ ...clientConfig(config.region, ADVISORY_TIMEOUTS), maxAttempts: 1 }),
  cloudWatch: new CloudWatchClient(config),
  dns,
  routingControl,
}));
