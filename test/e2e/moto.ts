// The moto server of an e2e test file, reset between tests. In a Jest run it is the one of this
// file's worker, kept by the run's services (test/test-services.ts) for every file the worker runs;
// otherwise the file starts its own. Without moto the tests fail loudly with the install command
// (CI checks for it up front too).
import { afterAll, beforeAll, beforeEach } from '@jest/globals';
import { type RunningMoto, startMoto } from '../../local/moto-server.ts';
import { TEST_SERVICES_VARIABLE } from '../global-setup.ts';

/** The endpoint of this worker's moto server, from the run's services. */
async function workerMoto(services: string): Promise<string> {
  const response = await fetch(`${services}/moto/${process.env.JEST_WORKER_ID ?? '1'}`);
  const text = await response.text();
  if (!response.ok) throw new Error(text);
  return text;
}

/** This file's moto: its hooks are registered once, however many of its parts ask (against-moto.test.ts). */
let shared: { readonly endpoint: string } | undefined;

export function useMoto(): { readonly endpoint: string } {
  shared ??= registerMoto();
  return shared;
}

function registerMoto(): { readonly endpoint: string } {
  let endpoint: string | undefined;
  let own: RunningMoto | undefined;
  const handle = {
    get endpoint(): string {
      if (!endpoint) throw new Error('moto is not running');
      return endpoint;
    },
  };
  beforeAll(async () => {
    const services = process.env[TEST_SERVICES_VARIABLE];
    if (services) endpoint = await workerMoto(services);
    else {
      own = await startMoto();
      endpoint = own.endpoint;
    }
    // Every client created in this file, ours or the code under test's, talks to moto only.
    process.env.AWS_ENDPOINT_URL = endpoint;
  }, 60_000);
  beforeEach(async () => {
    await fetch(`${handle.endpoint}/moto-api/reset`, { method: 'POST' });
  });
  afterAll(async () => {
    await own?.stop();
  });
  return handle;
}
