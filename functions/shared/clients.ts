// SDK client configuration shared by every step family. Clients are created once per region
// at module scope, so a warm Lambda reuses them (and their connections).

/**
 * Throttling, 5xx, network errors and timeouts are retried by the SDK's standard retry strategy
 * (exponential backoff with jitter) before a step gives up; Step Functions Retry then
 * retries the whole step on TransientAwsError.
 */
export const SDK_MAX_ATTEMPTS = 5;

/**
 * How long one attempt may take to connect, and to get its response (and, between two chunks of
 * the response, stay silent). A step Lambda has 60 s: without these the SDK waits for an
 * unanswered request until the Lambda itself times out (Sandbox.Timedout), which is not a
 * TransientAwsError and names no resource. With them a hung endpoint costs at most
 * SDK_MAX_ATTEMPTS × SDK_REQUEST_TIMEOUT_MS plus the backoff (≤ 1.5 s) per call, and ends as a
 * TimeoutError that toStepError turns into a TransientAwsError naming the resource.
 */
export const SDK_CONNECTION_TIMEOUT_MS = 3_000;
export const SDK_REQUEST_TIMEOUT_MS = 10_000;

export interface SdkTimeouts {
  /** Time to establish the TCP (and TLS) connection. */
  connectionTimeoutMs: number;
  /** Time from sending the request until the response headers, and the longest silence after. */
  requestTimeoutMs: number;
}

export const DEFAULT_SDK_TIMEOUTS: SdkTimeouts = {
  connectionTimeoutMs: SDK_CONNECTION_TIMEOUT_MS,
  requestTimeoutMs: SDK_REQUEST_TIMEOUT_MS,
};

/**
 * The options every client passes to its default NodeHttpHandler (the SDK accepts them in place of
 * a handler instance). `requestTimeout` alone only logs a warning (@smithy/node-http-handler 4.x):
 * `throwOnRequestTimeout` makes it fail the attempt with a TimeoutError. `requestTimeout` ends
 * when the response headers arrive; `socketTimeout` (inactivity) covers a body that stalls after.
 */
export interface RequestHandlerOptions {
  connectionTimeout: number;
  requestTimeout: number;
  throwOnRequestTimeout: true;
  socketTimeout: number;
}

export interface ClientConfig {
  region: string;
  maxAttempts: number;
  retryMode: 'standard';
  requestHandler: RequestHandlerOptions;
}

/**
 * Client config for one region. Endpoints come from AWS_ENDPOINT_URL (e.g. a local emulator).
 * `timeouts` is for tests; deployed clients use the defaults.
 */
export function clientConfig(region: string, timeouts: SdkTimeouts = DEFAULT_SDK_TIMEOUTS): ClientConfig {
  return {
    region,
    maxAttempts: SDK_MAX_ATTEMPTS,
    retryMode: 'standard',
    requestHandler: {
      connectionTimeout: timeouts.connectionTimeoutMs,
      requestTimeout: timeouts.requestTimeoutMs,
      throwOnRequestTimeout: true,
      socketTimeout: timeouts.requestTimeoutMs,
    },
  };
}

/** A client as far as a customizer needs it: its middleware stack. */
export interface CustomizableClient {
  middlewareStack: { add: (...args: never[]) => void };
}

/**
 * Adjusts every SDK client the steps create. Deployed Lambdas never set one; the local simulation
 * uses it to adapt an emulator's known gaps and to simulate a regional outage, without touching
 * the step logic.
 */
export type ClientCustomizer = (client: CustomizableClient, region: string) => void;
let customizer: ClientCustomizer | undefined;

/** Installs (or removes) the customizer for clients created from now on. */
export function setClientCustomizer(next: ClientCustomizer | undefined): void {
  customizer = next;
}

/** Lets the installed customizer (if any) adjust one client made outside clientsPerRegion. */
export function customizeClient(client: CustomizableClient, region: string): void {
  customizer?.(client, region);
}

/**
 * Fencing reaches into the primary region, which may be down: one attempt, connected within 2 s
 * and answered within 3 s, so a dark region costs seconds and never holds recovery up.
 */
export const FENCE_TIMEOUTS: SdkTimeouts = { connectionTimeoutMs: 2_000, requestTimeoutMs: 3_000 };

/** Which client settings: the steps' own, or fencing's (one short attempt). */
export type ClientProfile = 'default' | 'fence';

function profileConfig(region: string, profile: ClientProfile): ClientConfig {
  return profile === 'fence'
    ? { ...clientConfig(region, FENCE_TIMEOUTS), maxAttempts: 1 }
    : clientConfig(region);
}

/** Memoizes a family's clients per region (and profile). */
export function clientsPerRegion<C extends object>(
  create: (config: ClientConfig) => C,
): (region: string, profile?: ClientProfile) => C {
  const cache = new Map<string, C>();
  return (region, profile = 'default') => {
    const key = `${profile}:${region}`;
    let clients = cache.get(key);
    if (!clients) {
      clients = create(profileConfig(region, profile));
      if (customizer) {
        for (const client of Object.values(clients)) {
          if (client && typeof client === 'object' && 'middlewareStack' in client) {
            customizer(client as CustomizableClient, region);
          }
        }
      }
      cache.set(key, clients);
    }
    return clients;
  };
}
