// zod issues → the project's `field: value — rule` issues. zod 4 issues carry no input unless asked, so the value is
// read back from the input at the issue's path.
import type { z } from 'zod';
import type { FieldIssue } from './errors';

type Issue = z.core.$ZodIssue;
type Path = readonly PropertyKey[];

/** `a.b[0].c`; the root is ''. */
export function fieldPath(path: Path): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? String(seg) : `.${String(seg)}`;
  }
  return out;
}

/** The input's value at `path`, or undefined where the path leaves the input. Own properties only. */
export function valueAt(input: unknown, path: Path): unknown {
  let cur = input;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    if (cur instanceof Map) {
      cur = cur.get(seg);
      continue;
    }
    const key = typeof seg === 'symbol' ? seg : String(seg);
    cur = Object.prototype.hasOwnProperty.call(cur, key) ? (cur as Record<PropertyKey, unknown>)[key] : undefined;
  }
  return cur;
}

/** Every issue, one per offending field (an unknown-keys issue becomes one per key). */
export function zodIssuesToFieldIssues(error: { issues: readonly Issue[] }, input: unknown): FieldIssue[] {
  return error.issues.flatMap((issue): FieldIssue[] => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => {
        const path = [...issue.path, key];
        return { field: fieldPath(path), value: valueAt(input, path), rule: 'is not an allowed field' };
      });
    }
    return [{ field: fieldPath(issue.path), value: valueAt(input, issue.path), rule: issue.message }];
  });
}

/**
 * A per-parse error map (`schema.safeParse(input, { error: fieldRuleErrors })`) that phrases zod's default messages
 * as rules ("is required", "must be a string"). A message set in the schema itself still wins over it.
 */
export const fieldRuleErrors = (issue: z.core.$ZodRawIssue): string | undefined => {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? `is required (${article(issue.expected)})` : `must be ${article(issue.expected)}`;
    case 'invalid_value':
      return issue.values.length === 1
        ? `must be ${show(issue.values[0])}`
        : `must be one of ${issue.values.map(show).join(', ')}`;
    case 'too_small':
      return bound('at least', issue.minimum, issue.inclusive, issue.exact, issue.origin);
    case 'too_big':
      return bound('at most', issue.maximum, issue.inclusive, issue.exact, issue.origin);
    case 'invalid_format':
      return issue.format === 'regex' && issue.pattern ? `must match ${issue.pattern}` : `must be a valid ${issue.format}`;
    case 'not_multiple_of':
      return `must be a multiple of ${issue.divisor}`;
    default:
      return undefined;
  }
};

const show = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : String(v));

function article(type: string): string {
  const noun = type === 'int' ? 'integer' : type;
  return /^[aeiou]/.test(noun) ? `an ${noun}` : `a ${noun}`;
}

function bound(word: 'at least' | 'at most', n: number | bigint, inclusive = true, exact = false, origin = ''): string {
  const unit = origin === 'string' ? ' characters' : origin === 'array' || origin === 'set' ? ' items' : origin === 'file' ? ' bytes' : '';
  if (exact) return `must be exactly ${n}${unit}`;
  if (unit) return `must have ${inclusive ? word : word === 'at least' ? 'more than' : 'fewer than'} ${n}${unit}`;
  return inclusive ? `must be ${word} ${n}` : `must be ${word === 'at least' ? 'greater than' : 'less than'} ${n}`;
}
