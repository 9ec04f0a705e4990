// Shared by the infra tests: synthesize an example plan in-process (no bundling), as `cdk synth` does.
import { readdirSync } from 'node:fs';
import { type SynthesizedRunbook, synthesizeRunbook } from '../../local/synthesize.ts';
import { examplesDir } from '../fixtures.ts';

/** Synthesis takes seconds: do it once per plan and file, in a beforeAll with this timeout. */
export const SYNTH_TIMEOUT_MS = 30_000;

/** Every shipped example plan, by file name without ".json". */
export const EXAMPLES = readdirSync(examplesDir)
  .filter((file) => file.endsWith('.json'))
  .map((file) => file.replace(/\.json$/, ''))
  .sort();

export function synthesizeExample(name: string): Promise<SynthesizedRunbook> {
  return synthesizeRunbook({ planFile: `${examplesDir}${name}.json` });
}

/** Logical ids of the template's resources of one type. */
export function logicalIdsOf(template: SynthesizedRunbook['template'], type: string): string[] {
  return Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === type)
    .map(([id]) => id);
}
