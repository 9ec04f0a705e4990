// The plan every command uses when none is given: the warm-standby example. Its own module, so that
// the CLI's commands find it without loading the CDK app (infra/app.ts).
import { fileURLToPath } from 'node:url';

export const DEFAULT_PLAN = fileURLToPath(new URL('./examples/warm-standby.json', import.meta.url));
