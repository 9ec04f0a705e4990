// Live progress a person can follow: one line as each step starts and ends, with its duration,
// indented inside parallel branches; polling plumbing (Wait, Choice) stays quiet.
import type { AslDefinition } from './extract-definition.ts';
import type { EventLog } from './run-local.ts';

function depthOfStates(
  definition: AslDefinition,
  depth = 0,
  into = new Map<string, number>(),
): Map<string, number> {
  for (const [name, state] of Object.entries(definition.States)) {
    into.set(name, depth);
    for (const branch of state.Branches ?? []) depthOfStates(branch, depth + 1, into);
  }
  return into;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;

/** Short text of what a step returned, when it says so (`detail`, an outcome, a check count). */
function summary(output: unknown): string {
  if (!output || typeof output !== 'object') return '';
  const o = output as Record<string, unknown>;
  if (typeof o.detail === 'string') return o.detail;
  if (Array.isArray(o.checks)) {
    const checks = o.checks as Array<{ status: string; name: string; detail?: string }>;
    const count = (s: string) => checks.filter((c) => c.status === s).length;
    // Every check that warned or failed is named with what it found, not only counted.
    const named = checks
      .filter((c) => c.status !== 'pass')
      .map((c) => `\n            ${c.status === 'fail' ? '✗' : '!'} ${c.name}: ${c.detail ?? ''}`)
      .join('');
    const error = o.error as { Cause?: string } | undefined;
    const failedToRun = error
      ? `\n            ✗ readiness could not run: ${String(error.Cause ?? '').slice(0, 240)}`
      : '';
    return `${count('pass')} pass, ${count('warn')} warn, ${count('fail')} fail; predicted ${String(o.predictedSeconds)} s${named}${failedToRun}`;
  }
  return '';
}

export function progressPrinter(definition: AslDefinition, write: (line: string) => void, t0 = Date.now()) {
  const depth = depthOfStates(definition);
  const entered = new Map<string, number>();
  const failed = new Set<string>();
  const stamp = (t: number) => `+${((t - t0) / 1000).toFixed(2).padStart(6)}s`;
  return (event: EventLog) => {
    if (!('state' in event) || !event.state) return;
    const { name, type } = event.state;
    const indent = '  '.repeat((depth.get(name) ?? 0) + 1);
    if (type !== 'Task' && type !== 'Parallel' && type !== 'Fail' && type !== 'Succeed') return;
    if (event.type === 'StateEntered') {
      entered.set(name, event.timestamp);
      failed.delete(name);
      if (type === 'Parallel') write(`${stamp(event.timestamp)}${indent}┌ ${name}`);
      if (type === 'Fail') write(`${stamp(event.timestamp)}${indent}✗ ${name}`);
      if (type === 'Succeed') write(`${stamp(event.timestamp)}${indent}✓ ${name}`);
      return;
    }
    const took = seconds(event.timestamp - (entered.get(name) ?? event.timestamp));
    if (event.type === 'StateExited' && !failed.has(name) && type !== 'Succeed' && type !== 'Fail') {
      const detail = type === 'Task' ? summary(event.state.output) : '';
      write(
        `${stamp(event.timestamp)}${indent}${type === 'Parallel' ? '└' : '✓'} ${name} (${took})${detail ? ` — ${detail}` : ''}`,
      );
    }
    if (event.type === 'StateFailed' || event.type === 'StateRetried') {
      if (event.type === 'StateFailed') failed.add(name);
      const error =
        'Error' in event ? `${String(event.Error)}: ${String(event.Cause ?? '').slice(0, 240)}` : '';
      const verb = event.type === 'StateRetried' ? '↻ retry' : '✗';
      write(`${stamp(event.timestamp)}${indent}${verb} ${name} (${took})${error ? ` — ${error}` : ''}`);
    }
  };
}
