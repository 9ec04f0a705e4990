// Turns zod issues into "<json.path>: <what is wrong and how to fix it>" lines.
import type * as z from './zod.ts';

/** JSON path as a user would type it: compute.capacity.desired, traffic.records[0].name */
export function jsonPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(plan)';
  return path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : i === 0 ? String(key) : `.${String(key)}`))
    .join('');
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  return `${typeof value} ${typeof value === 'object' ? '' : JSON.stringify(value)}`.trim();
}

function explain(issue: z.core.$ZodIssue, input: unknown): string {
  switch (issue.code) {
    case 'invalid_type': {
      const received = valueAt(input, issue.path);
      const expected = `${/^[aeiou]/.test(issue.expected) ? 'an' : 'a'} ${issue.expected}`;
      if (received === undefined) return `is required: add ${expected}`;
      return `must be ${expected}, got ${describe(received)}${
        issue.expected === 'number' && typeof received === 'string'
          ? ' (write the number without quotes)'
          : ''
      }`;
    }
    case 'unrecognized_keys':
      return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}: remove ${
        issue.keys.length > 1 ? 'them' : 'it'
      } or check the spelling`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${describe(
        valueAt(input, issue.path),
      )}`;
    case 'too_small':
      if (issue.origin === 'array')
        return `needs at least ${issue.minimum} item${Number(issue.minimum) > 1 ? 's' : ''}`;
      if (issue.origin === 'string') return 'must not be empty';
      return `must be ${issue.inclusive ? 'at least' : 'more than'} ${issue.minimum}, got ${describe(valueAt(input, issue.path))}`;
    case 'too_big':
      if (issue.origin === 'array') {
        const count = (valueAt(input, issue.path) as unknown[] | undefined)?.length ?? 0;
        return `has ${count} items, at most ${issue.maximum}: remove ${count - Number(issue.maximum)}`;
      }
      return `must be ${issue.inclusive ? 'at most' : 'less than'} ${issue.maximum}, got ${describe(valueAt(input, issue.path))}`;
    default:
      return issue.message;
  }
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = input;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/** One line per problem, in document order of the paths. */
export function formatIssues(error: z.core.$ZodError, input: unknown): string[] {
  return error.issues.map((issue) => `${jsonPath(issue.path)}: ${explain(issue, input)}`);
}
