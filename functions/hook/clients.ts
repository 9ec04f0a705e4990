// SDK clients of the hook family. A hook's function lives in the region of its ARN (the plan's
// recovery region, or a third one; never the primary), so clients are made per region, and an
// invocation's client waits as long as the hook may take to answer (invocationTimeoutSeconds)
// instead of the shared 10 s. Attempts, retry mode and the connection timeout stay shared.
import { LambdaClient } from '@aws-sdk/client-lambda';
import {
  type ClientConfig,
  clientConfig,
  clientsPerRegion,
  DEFAULT_SDK_TIMEOUTS,
} from '../shared/clients.ts';
import { STEP_TIMEOUT_SECONDS } from '../shared/step-contract.ts';

export interface HookClients {
  /**
   * A Lambda client in `region`. `requestTimeoutSeconds` is how long one request may wait for its
   * response (an Invoke: the hook's answer); without it, the shared SDK_REQUEST_TIMEOUT_MS.
   */
  lambda(region: string, requestTimeoutSeconds?: number): LambdaClient;
}

/** The shared client config, with each request allowed `requestTimeoutSeconds` (if given). */
export function hookClientConfig(region: string, requestTimeoutSeconds?: number): ClientConfig {
  const config = clientConfig(
    region,
    requestTimeoutSeconds === undefined
      ? DEFAULT_SDK_TIMEOUTS
      : { ...DEFAULT_SDK_TIMEOUTS, requestTimeoutMs: requestTimeoutSeconds * 1000 },
  );
  if (requestTimeoutSeconds === undefined) return config;
  // Every attempt may wait the hook's whole timeout: only as many as fit in the step's own timeout
  // (with room to answer), so a slow hook fails as a named TransientAwsError, not Sandbox.Timedout.
  const fit = Math.floor((STEP_TIMEOUT_SECONDS - 5) / requestTimeoutSeconds);
  return { ...config, maxAttempts: Math.max(1, Math.min(config.maxAttempts, fit)) };
}

/**
 * One memo per request timeout, each through clientsPerRegion so that warm Lambdas reuse the
 * clients and the local customizer (emulator adapters, outages) sees every one with its region.
 */
const byTimeout = new Map<number | undefined, (region: string) => { lambda: LambdaClient }>();

function lambdaClient(region: string, requestTimeoutSeconds?: number): LambdaClient {
  let perRegion = byTimeout.get(requestTimeoutSeconds);
  if (!perRegion) {
    perRegion = clientsPerRegion((config) => ({
      lambda: new LambdaClient(hookClientConfig(config.region, requestTimeoutSeconds)),
    }));
    byTimeout.set(requestTimeoutSeconds, perRegion);
  }
  return perRegion(region).lambda;
}

const clients: HookClients = { lambda: lambdaClient };

/** The family's clients; the region runStep passes (the recovery region) is chosen per call. */
export const hookClientsFor = (_region: string): HookClients => clients;
