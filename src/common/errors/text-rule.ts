import { FieldError, RequestValidationError } from './domain-error';

/** Deeper than any request the API takes; deeper JSON is refused before anything walks it. */
export const MAX_DEPTH = 32;
const MAX_ERRORS = 20;

/** A string PostgreSQL cannot store as text, or that is not Unicode: a NUL, or an unpaired surrogate. */
export function isHostileText(value: string): boolean {
  return value.includes('\u0000') || !(value as string & { isWellFormed(): boolean }).isWellFormed();
}

/**
 * The fields of a request part (query, path parameters or body) whose text breaks the rule, named as
 * validation names them (`detail.desc`, `images.0`); also what nests deeper than MAX_DEPTH. Iterative,
 * so hostile nesting cannot exhaust the stack.
 */
export function textRuleErrors(value: unknown): FieldError[] {
  const errors: FieldError[] = [];
  const stack: { value: unknown; path: string; depth: number }[] = [{ value, path: '', depth: 0 }];
  while (stack.length > 0 && errors.length < MAX_ERRORS) {
    const { value: current, path, depth } = stack.pop()!;
    if (typeof current === 'string') {
      if (isHostileText(current)) {
        errors.push({
          field: path || 'body',
          message: `${path || 'body'} must not contain NUL characters or unpaired surrogates`,
        });
      }
      continue;
    }
    if (typeof current !== 'object' || current === null) {
      continue;
    }
    if (depth >= MAX_DEPTH) {
      errors.push({ field: path || 'body', message: `${path || 'body'} is nested too deeply` });
      continue;
    }
    for (const [key, child] of Object.entries(current)) {
      if (isHostileText(key)) {
        errors.push({
          field: path || 'body',
          message: `${path || 'body'} has a property name with NUL characters or unpaired surrogates`,
        });
        continue;
      }
      stack.push({ value: child, path: path ? `${path}.${key}` : key, depth: depth + 1 });
    }
  }
  return errors;
}

/**
 * Whether a value holds nothing the rule refuses: the check every request pays, so it allocates
 * nothing. Recursion is bounded by MAX_DEPTH, however deep the value.
 */
function isClean(value: unknown, depth: number): boolean {
  if (typeof value === 'string') {
    return !isHostileText(value);
  }
  if (typeof value !== 'object' || value === null) {
    return true;
  }
  if (depth >= MAX_DEPTH) {
    return false;
  }
  if (Array.isArray(value)) {
    for (const item of value) {
      if (!isClean(item, depth + 1)) {
        return false;
      }
    }
    return true;
  }
  for (const key in value) {
    if (isHostileText(key) || !isClean((value as Record<string, unknown>)[key], depth + 1)) {
      return false;
    }
  }
  return true;
}

/**
 * One rule for text at the edge, before any validator library or the database sees it: a request
 * whose query, path parameters or body hold a NUL or an unpaired surrogate is a 400 naming the field.
 */
export function assertTextRule(query: unknown, params: unknown, body: unknown): void {
  if (isClean(query, 0) && isClean(params, 0) && isClean(body, 0)) {
    return;
  }
  const errors = [query, params, body].flatMap((part) => textRuleErrors(part));
  if (errors.length > 0) {
    throw new RequestValidationError(errors.slice(0, MAX_ERRORS));
  }
}
