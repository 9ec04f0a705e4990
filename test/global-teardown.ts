// Jest global teardown: stops the run's services (test/test-services.ts) and waits until they and
// their moto servers are gone, so that nothing of the run outlives `npm test`.
import type { ChildProcess } from 'node:child_process';
import { SERVICES_PROCESS } from './global-setup.ts';

/** Long enough for moto to exit on SIGTERM (the services SIGKILL it after 3 s). */
const STOP_TIMEOUT_MS = 5_000;

export default async function globalTeardown(): Promise<void> {
  const child = (globalThis as { [SERVICES_PROCESS]?: ChildProcess })[SERVICES_PROCESS];
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<boolean>((resolve) => child.once('exit', () => resolve(true)));
  // Referenced again (the setup unreferenced it): Jest's process must stay alive until it is gone,
  // and then go on to its own ending (the results file, the exit code).
  child.ref();
  // Its standard input closing is its cue to stop its moto servers, wait for them, and exit.
  child.stdin?.end();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), STOP_TIMEOUT_MS);
  });
  const stopped = await Promise.race([exited, timedOut]);
  clearTimeout(timer);
  if (!stopped) child.kill('SIGTERM');
}
