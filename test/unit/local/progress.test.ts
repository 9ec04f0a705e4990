import { describe, expect, it } from '@jest/globals';
import type { AslDefinition } from '../../../local/extract-definition.ts';
import { progressPrinter } from '../../../local/progress.ts';
import type { EventLog } from '../../../local/run-local.ts';

const definition: AslDefinition = {
  StartAt: 'Readiness',
  States: {
    Readiness: {
      Type: 'Parallel',
      Branches: [{ StartAt: 'DatabaseReadiness', States: { DatabaseReadiness: { Type: 'Task' } } }],
    },
  },
};

function exited(output: unknown): EventLog {
  return {
    type: 'StateExited',
    timestamp: 1_500,
    state: { name: 'DatabaseReadiness', type: 'Task', input: {}, output },
  } as unknown as EventLog;
}

describe('progressPrinter', () => {
  it('names every readiness check that warned or failed, with what it found, not only counts', () => {
    const lines: string[] = [];
    const print = progressPrinter(definition, (line) => lines.push(line), 1_000);

    print(
      exited({
        family: 'database',
        predictedSeconds: 300,
        checks: [
          { name: 'replica-available', status: 'pass', detail: 'available' },
          { name: 'replica-lag', status: 'warn', detail: 'ReplicaLag 240 s is close to the RPO of 300 s' },
          { name: 'snapshot-age', status: 'fail', detail: 'newest snapshot is 30 h old (max 24 h)' },
        ],
      }),
    );

    const text = lines.join('\n');
    expect(text).toContain('1 pass, 1 warn, 1 fail; predicted 300 s');
    expect(text).toContain('! replica-lag: ReplicaLag 240 s is close to the RPO of 300 s');
    expect(text).toContain('✗ snapshot-age: newest snapshot is 30 h old (max 24 h)');
    expect(text).not.toContain('replica-available:');
  });
});
