// One probe of the primary's health endpoint from the recovery region: did it answer as expected
// within the timeout? A redirect is an answer (its status), never followed.
export interface ProbeConfig {
  readonly url: string;
  readonly expectedStatus: number;
  readonly timeoutSeconds: number;
}

export interface ProbeResult {
  readonly failed: boolean;
  /** What was seen, for the log: "GET … answered 503, expected 200". */
  readonly detail: string;
}

export async function probePrimary(
  config: ProbeConfig,
  fetchImpl: typeof fetch = fetch,
): Promise<ProbeResult> {
  try {
    const response = await fetchImpl(config.url, {
      redirect: 'manual',
      signal: AbortSignal.timeout(config.timeoutSeconds * 1000),
    });
    const failed = response.status !== config.expectedStatus;
    return {
      failed,
      detail: `GET ${config.url} answered ${response.status}${failed ? `, expected ${config.expectedStatus}` : ''}`,
    };
  } catch (error) {
    return { failed: true, detail: `GET ${config.url} failed: ${(error as Error).message}` };
  }
}

/** The probe's settings from the Lambda's environment (set by infra/detector.ts); throws naming a missing one. */
export function probeConfigFrom(env: NodeJS.ProcessEnv): ProbeConfig & { plan: string } {
  const read = (name: string) => {
    const value = env[name];
    if (!value) throw new Error(`the detector needs ${name} in its environment (infra/detector.ts sets it)`);
    return value;
  };
  return {
    plan: read('DR_RUNBOOK_PLAN'),
    url: read('PROBE_URL'),
    expectedStatus: Number(read('PROBE_EXPECTED_STATUS')),
    timeoutSeconds: Number(read('PROBE_TIMEOUT_SECONDS')),
  };
}
