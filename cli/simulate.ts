// dr-runbook simulate: a full run of a plan against a local AWS emulator, with live progress and
// the RTO/RPO report. The README's main command.
import { writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parseArgs } from 'node:util';
import { renderHtml } from '../functions/runbook/render-html.ts';
import { MODES } from '../functions/shared/step-contract.ts';
import { MotoNotFoundError } from '../local/moto-server.ts';
import { SCENARIOS, type Scenario, simulate } from '../local/simulate.ts';
import { DEFAULT_PLAN } from '../plan/default-plan.ts';
import { loadPlanFile } from '../plan/load.ts';
import type { Output } from './main.ts';

export const SIMULATE_USAGE =
  'usage: dr-runbook simulate [--plan FILE] [--mode drill|failover|switchover|dry-run|revert --run-id RUN_ID] ' +
  '[--scenario region-outage|route53-control-plane-outage|failover-during-drill|killed-run] ' +
  '[--report FILE.html|FILE.md|FILE.json] [--endpoint URL --no-seed]';

const REPORT_FORMATS = ['.html', '.md', '.json'];

class UsageError extends Error {}

const SIMULATED_MODES = [...MODES, 'revert'] as const;
type SimulatedMode = (typeof SIMULATED_MODES)[number];

function parse(args: string[]) {
  const { values } = parseArgs({
    args,
    options: {
      plan: { type: 'string' },
      mode: { type: 'string', default: 'drill' },
      scenario: { type: 'string', default: 'none' },
      report: { type: 'string' },
      endpoint: { type: 'string' },
      'no-seed': { type: 'boolean', default: false },
      'run-id': { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (!SIMULATED_MODES.includes(values.mode as SimulatedMode)) {
    throw new UsageError(`--mode must be one of ${SIMULATED_MODES.join(', ')}, got "${values.mode}"`);
  }
  if ((values.mode === 'revert') !== (values['run-id'] !== undefined)) {
    throw new UsageError(
      values.mode === 'revert'
        ? 'name the drill to revert: --mode revert --run-id RUN_ID (with --endpoint URL --no-seed, where it ran)'
        : '--run-id is for --mode revert only',
    );
  }
  if (values['run-id'] !== undefined && !/^[A-Za-z0-9-]{1,64}$/.test(values['run-id'])) {
    throw new UsageError(`--run-id must be 1-64 letters, digits or "-", got "${values['run-id']}"`);
  }
  if (!SCENARIOS.includes(values.scenario as Scenario)) {
    throw new UsageError(
      `--scenario must be one of ${SCENARIOS.filter((s) => s !== 'none').join(', ')}, got "${values.scenario}"`,
    );
  }
  if (values.report && !REPORT_FORMATS.includes(extname(values.report))) {
    throw new UsageError(`--report must end in ${REPORT_FORMATS.join(' or ')}, got "${values.report}"`);
  }
  if (values['no-seed'] && !values.endpoint) {
    throw new UsageError('--no-seed needs --endpoint URL: a fresh emulator holds nothing to run against');
  }
  if (values.endpoint && !/^https?:\/\/[^/]+/.test(values.endpoint)) {
    throw new UsageError(`--endpoint must be a URL such as http://127.0.0.1:5000, got "${values.endpoint}"`);
  }
  return values;
}

export async function simulateCommand(args: string[], output: Output): Promise<number> {
  let values: ReturnType<typeof parse>;
  try {
    values = parse(args);
  } catch (error) {
    output.err(`dr-runbook simulate: ${(error as Error).message}\n${SIMULATE_USAGE}`);
    return 2;
  }
  const planFile = values.plan ?? DEFAULT_PLAN;
  const loaded = await loadPlanFile(planFile);
  if (!loaded.ok) {
    output.err(`dr-runbook simulate: ${planFile} is not a valid DR plan:`);
    for (const problem of loaded.problems) output.err(problem);
    return 1;
  }
  try {
    const result = await simulate({
      plan: loaded.plan,
      mode: values.mode as SimulatedMode,
      ...(values['run-id'] !== undefined ? { revertRunId: values['run-id'] } : {}),
      scenario: values.scenario as Scenario,
      endpoint: values.endpoint,
      seed: !values['no-seed'],
      write: output.out,
    });
    output.out('');
    output.out(result.markdown);
    if (values.report) {
      const body = values.report.endsWith('.json')
        ? JSON.stringify({ report: result.report, timeline: result.timeline, notes: result.notes }, null, 2)
        : values.report.endsWith('.html') && result.report
          ? renderHtml(result.report, { timeline: result.timeline, notes: result.notes })
          : result.markdown;
      await writeFile(values.report, body);
      output.out(`Report written to ${values.report}`);
    }
    return result.run.status === 'SUCCEEDED' ? 0 : 1;
  } catch (error) {
    if (error instanceof MotoNotFoundError) {
      output.err(`dr-runbook simulate: ${error.message}`);
      return 1;
    }
    throw error;
  }
}
