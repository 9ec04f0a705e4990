// Reads and validates a dr-plan.json. Never throws for a bad file: returns every problem.
import { readFile } from 'node:fs/promises';
import { duplicateKeys } from './duplicate-keys.ts';
import { formatIssues } from './format-issues.ts';
import { type DrPlan, planSchema } from './schema.ts';

export type PlanResult =
  | { ok: true; plan: DrPlan }
  /** `unreadable`: the file could not be read or parsed as JSON; `invalid`: it breaks the schema. */
  | { ok: false; reason: 'unreadable' | 'invalid'; problems: string[] };

/** Validates an already parsed plan object. */
export function parsePlan(input: unknown): PlanResult {
  const result = planSchema.safeParse(input);
  if (result.success) return { ok: true, plan: result.data };
  return { ok: false, reason: 'invalid', problems: formatIssues(result.error, input) };
}

/** Reads, parses and validates a plan file; unreadable files and bad JSON are problems too. */
export async function loadPlanFile(file: string): Promise<PlanResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file: check the path'
        : code === 'EISDIR'
          ? 'is a directory: name the plan file inside it'
          : code === 'EACCES'
            ? 'permission denied: make the file readable'
            : `cannot be read (${code ?? String(error)})`;
    return { ok: false, reason: 'unreadable', problems: [`${file}: ${why}`] };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return {
      ok: false,
      reason: 'unreadable',
      problems: [
        `${file}: is not valid JSON (${(error as Error).message.replace(/\s+/g, ' ')}): fix the syntax`,
      ],
    };
  }
  const repeated = duplicateKeys(text);
  if (repeated.length > 0) {
    return {
      ok: false,
      reason: 'invalid',
      problems: repeated.map(
        (path) => `${path}: appears twice in the same object (JSON keeps only the last): remove one of them`,
      ),
    };
  }
  return parsePlan(json);
}

/** Loads a plan or throws one error listing every problem (for code paths that cannot go on without it). */
export async function loadPlanOrThrow(file: string): Promise<DrPlan> {
  const result = await loadPlanFile(file);
  if (result.ok) return result.plan;
  throw new InvalidPlanError(file, result.problems);
}

export class InvalidPlanError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file} is not a valid DR plan:\n  ${problems.join('\n  ')}`);
    this.name = 'InvalidPlanError';
  }
}
