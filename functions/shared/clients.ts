// SDK client configuration shared by every step family. Clients are created once per region
// at module scope, so a warm Lambda reuses them (and their connections).

/**
 * Throttling, 5xx and network errors are retried by the SDK's standard retry strategy
 * (exponential backoff with jitter) before a step gives up; Step Functions Retry then
 * retries the whole step on TransientAwsError.
 */
export const SDK_MAX_ATTEMPTS = 5;

export interface ClientConfig {
  region: string;
  maxAttempts: number;
  retryMode: 'standard';
}

/** Client config for one region. Endpoints come from AWS_ENDPOINT_URL (e.g. a local emulator). */
export function clientConfig(region: string): ClientConfig {
  return { region, maxAttempts: SDK_MAX_ATTEMPTS, retryMode: 'standard' };
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

/** Memoizes a family's clients per region. */
export function clientsPerRegion<C extends object>(
  create: (config: ClientConfig) => C,
): (region: string) => C {
  const cache = new Map<string, C>();
  return (region) => {
    let clients = cache.get(region);
    if (!clients) {
      clients = create(clientConfig(region));
      if (customizer) {
        for (const client of Object.values(clients)) {
          if (client && typeof client === 'object' && 'middlewareStack' in client) {
            customizer(client as CustomizableClient, region);
          }
        }
      }
      cache.set(region, clients);
    }
    return clients;
  };
}
