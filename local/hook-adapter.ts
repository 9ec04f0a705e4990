// The plan's hooks in a simulation: moto's Lambda runs functions only in Docker, so Invoke and
// GetFunctionConfiguration of a hook's ARN are answered by a local function (local/hook-functions.ts) through
// the SDK, with Lambda's own answer shapes (GetFunctionConfiguration, Invoke). The hook step logic runs unchanged; each use is noted.
import type { CustomizableClient } from '../functions/shared/clients.ts';
import { activeRun, addInitialize } from './emulator-adapters.ts';

export function localHooks(client: CustomizableClient): void {
  addInitialize(client, 'drRunbookLocalHooks', (next, context) => async (args) => {
    const { scenario, log } = activeRun();
    const hooks = scenario.hooks;
    if (!hooks) return next(args);
    const functionArn = String(args.input.FunctionName ?? '');
    if (context.commandName === 'GetFunctionConfigurationCommand') {
      log.notes.add(
        'hook functions answered by a local function (moto runs Lambda functions only in Docker)',
      );
      return {
        output: { $metadata: {}, FunctionArn: functionArn, State: 'Active', LastUpdateStatus: 'Successful' },
      };
    }
    if (context.commandName === 'InvokeCommand') {
      log.notes.add(
        'hook functions answered by a local function (moto runs Lambda functions only in Docker)',
      );
      const raw = args.input.Payload;
      const payload = JSON.parse(
        typeof raw === 'string' ? raw : new TextDecoder().decode(raw as Uint8Array),
      ) as unknown;
      const answer = hooks(functionArn, payload);
      return {
        output: {
          $metadata: {},
          StatusCode: 200,
          ExecutedVersion: '$LATEST',
          Payload: new TextEncoder().encode(JSON.stringify(answer)),
        },
      };
    }
    return next(args);
  });
}
