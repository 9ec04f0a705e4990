// Just enough of DynamoDB's condition and update expressions for the runbook's lock and history:
// attribute_exists / attribute_not_exists, = <> < <= > >= on names and :values, AND / OR / NOT,
// parentheses; SET name = :value and REMOVE name. Anything else throws, so a new expression in the
// state machine fails the tests loudly instead of being misread.
import type { AttributeValue } from '@aws-sdk/client-dynamodb';

export type Item = Record<string, AttributeValue>;

export interface ExpressionInput {
  ExpressionAttributeNames?: Record<string, string> | undefined;
  ExpressionAttributeValues?: Record<string, AttributeValue> | undefined;
}

const TOKEN = /\s*(<>|<=|>=|=|<|>|\(|\)|,|[#:]?[A-Za-z_][A-Za-z0-9_.]*)/y;

function tokenize(expression: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < expression.length) {
    if (/^\s*$/.test(expression.slice(TOKEN.lastIndex))) break;
    const match = TOKEN.exec(expression);
    if (!match?.[1]) throw new Error(`fake DynamoDB cannot parse expression: ${expression}`);
    tokens.push(match[1]);
  }
  return tokens;
}

function scalar(value: AttributeValue | undefined): string | number | boolean | undefined {
  if (value === undefined) return undefined;
  if (value.S !== undefined) return value.S;
  if (value.N !== undefined) return Number(value.N);
  if (value.BOOL !== undefined) return value.BOOL;
  throw new Error(`fake DynamoDB compares only S, N and BOOL values, got ${JSON.stringify(value)}`);
}

const COMPARE: Record<string, (a: string | number | boolean, b: string | number | boolean) => boolean> = {
  '=': (a, b) => a === b,
  '<>': (a, b) => a !== b,
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
};

/** Whether `item` (undefined: no item) satisfies the condition expression. */
export function evaluateCondition(
  expression: string,
  item: Item | undefined,
  input: ExpressionInput,
): boolean {
  const tokens = tokenize(expression);
  let position = 0;
  const peek = () => tokens[position];
  const next = () => {
    const token = tokens[position++];
    if (token === undefined) throw new Error(`fake DynamoDB: unexpected end of ${expression}`);
    return token;
  };
  const expect = (token: string) => {
    if (next() !== token) throw new Error(`fake DynamoDB: expected "${token}" in ${expression}`);
  };
  const attributeName = (token: string) =>
    token.startsWith('#') ? (input.ExpressionAttributeNames?.[token] ?? token) : token;
  const operand = (token: string): AttributeValue | undefined => {
    if (token.startsWith(':')) {
      const value = input.ExpressionAttributeValues?.[token];
      if (!value) throw new Error(`fake DynamoDB: ${token} is not in ExpressionAttributeValues`);
      return value;
    }
    return item?.[attributeName(token)];
  };

  const primary = (): boolean => {
    const token = next();
    if (token === '(') {
      const value = or();
      expect(')');
      return value;
    }
    if (token === 'attribute_exists' || token === 'attribute_not_exists') {
      expect('(');
      const name = attributeName(next());
      const present = item?.[name] !== undefined;
      expect(')');
      return token === 'attribute_exists' ? present : !present;
    }
    const comparator = next();
    const compare = COMPARE[comparator];
    if (!compare) throw new Error(`fake DynamoDB: unsupported operator "${comparator}" in ${expression}`);
    const left = scalar(operand(token));
    const right = scalar(operand(next()));
    // A missing attribute, or values of different types, never satisfy a comparison.
    if (left === undefined || right === undefined || typeof left !== typeof right) return false;
    return compare(left, right);
  };
  const not = (): boolean => {
    if (peek()?.toUpperCase() === 'NOT') {
      next();
      return !not();
    }
    return primary();
  };
  const and = (): boolean => {
    let value = not();
    while (peek()?.toUpperCase() === 'AND') {
      next();
      const right = not();
      value = value && right;
    }
    return value;
  };
  const or = (): boolean => {
    let value = and();
    while (peek()?.toUpperCase() === 'OR') {
      next();
      const right = and();
      value = value || right;
    }
    return value;
  };

  const result = or();
  if (position !== tokens.length) throw new Error(`fake DynamoDB: trailing tokens in ${expression}`);
  return result;
}

/** Applies `SET a = :v, …` and `REMOVE a, …` clauses to a copy of the item. */
export function applyUpdate(expression: string, item: Item, input: ExpressionInput): Item {
  const updated: Item = { ...item };
  const clauses = expression.split(/\b(SET|REMOVE)\b/i).map((part) => part.trim());
  for (let i = 1; i < clauses.length; i += 2) {
    const keyword = clauses[i]?.toUpperCase();
    const body = clauses[i + 1] ?? '';
    for (const action of body.split(',').map((part) => part.trim())) {
      const attribute = (token: string) =>
        token.startsWith('#') ? (input.ExpressionAttributeNames?.[token] ?? token) : token;
      if (keyword === 'REMOVE') {
        delete updated[attribute(action)];
        continue;
      }
      const [written, value] = action.split('=').map((part) => part.trim());
      const name = written ? attribute(written) : written;
      const resolved = value ? input.ExpressionAttributeValues?.[value] : undefined;
      if (!name || !resolved) throw new Error(`fake DynamoDB: unsupported SET action "${action}"`);
      updated[name] = resolved;
    }
  }
  if (clauses[0]) throw new Error(`fake DynamoDB: unsupported update expression ${expression}`);
  return updated;
}
