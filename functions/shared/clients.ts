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

/** Memoizes a family's clients per region. */
export function clientsPerRegion<C>(create: (config: ClientConfig) => C): (region: string) => C {
  const cache = new Map<string, C>();
  return (region) => {
    let clients = cache.get(region);
    if (!clients) {
      clients = create(clientConfig(region));
      cache.set(region, clients);
    }
    return clients;
  };
}
