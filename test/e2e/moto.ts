// One moto server per e2e test file, reset between tests. Without moto the tests fail loudly with
// the install command (CI checks for it up front too).
import { afterAll, beforeAll, beforeEach } from '@jest/globals';
import { type RunningMoto, startMoto } from '../../local/moto-server.ts';

export function useMoto(): { readonly endpoint: string } {
  let moto: RunningMoto | undefined;
  const handle = {
    get endpoint(): string {
      if (!moto) throw new Error('moto is not running');
      return moto.endpoint;
    },
  };
  beforeAll(async () => {
    moto = await startMoto();
    // Every client created in this file, ours or the code under test's, talks to moto only.
    process.env.AWS_ENDPOINT_URL = moto.endpoint;
  }, 60_000);
  beforeEach(async () => {
    await fetch(`${handle.endpoint}/moto-api/reset`, { method: 'POST' });
  });
  afterAll(async () => {
    await moto?.stop();
  });
  return handle;
}
