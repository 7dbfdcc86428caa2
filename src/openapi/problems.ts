import type { OpenAPIObject } from '@nestjs/swagger';
import type {
  OperationObject,
  ResponseObject,
} from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

import { InvalidApiKeyError } from '../common/auth/auth.errors';
import {
  ApiKeyInQueryError,
  ApiKeyNotAcceptedError,
  InsufficientScopeError,
  InvalidAccessTokenError,
  RoleRequiredError,
} from '../common/auth/auth.errors';
import type { UserRole } from '../common/auth/roles';
import {
  DomainError,
  MalformedJsonError,
  RateLimitedError,
  RequestValidationError,
} from '../common/errors/domain-error';
import {
  DATABASE_UNAVAILABLE,
  databaseNotMigrated,
  INVALID_URL,
  problemBody,
  URI_TOO_LONG,
} from '../common/errors/problem';
import { IdempotencyInFlightError, IdempotencyKeyReusedError } from '../common/idempotency/idempotency';
import {
  DocumentedProblem,
  documentedProblem,
  PROBLEM_DESCRIPTIONS,
  problemContent,
  PROBLEMS_EXTENSION,
} from '../common/openapi/problem-responses.decorator';
import { InvalidCursorError } from '../common/pagination/cursor-codec';
import { needsMigratedDatabase } from '../database/migration-gate';

/** What the document builder knows of an operation, to tell which problems every such one can answer. */
export interface OperationTraits {
  path: string;
  operation: OperationObject;
  /** Reads no credentials (`@Anonymous()`). */
  anonymous: boolean;
  /** Open to anonymous callers (`@Public()`). */
  public: boolean;
  /** The API key scope it accepts, if any. */
  scope?: string;
  /** The platform roles it requires, if any. */
  roles?: UserRole[];
  idempotent: boolean;
}

const EXAMPLE_REQUEST_ID = '0195f1a4-6c3e-7d0a-9c55-1b2f3c4d5e6f';
const EXAMPLE_ID = '0195f1a4-6c3e-7d0a-9c55-1b2f3c4d5e70';

const fixed = (status: number, code: string, detail: string): DocumentedProblem => ({ status, code, detail });
const of = (error: DomainError): DocumentedProblem => documentedProblem(error);

const RATE_LIMITED = of(
  new RateLimitedError('RATE_LIMITED', 'Too many requests: wait before trying again.', 1),
);
const INTERNAL = fixed(500, 'INTERNAL_ERROR', 'An unexpected error occurred.');
const PAYLOAD_TOO_LARGE = fixed(413, 'PAYLOAD_TOO_LARGE', 'Request body is too large');
const UNSUPPORTED_MEDIA_TYPE = fixed(415, 'UNSUPPORTED_MEDIA_TYPE', 'Unsupported Media Type: text/plain');
const DATABASE_NOT_MIGRATED = databaseNotMigrated({
  pending: ['20261201223027_admin_and_audit'],
  unknown: [],
});

/** The parameters and body fields of an operation, to name one in its validation example. */
function inputNames(operation: OperationObject, document: OpenAPIObject): string[] {
  const parameters = (operation.parameters ?? [])
    .filter((parameter) => 'name' in parameter && parameter.in !== 'header')
    .map((parameter) => (parameter as { name: string }).name);
  const content = (operation.requestBody as { content?: Record<string, { schema?: { $ref?: string } }> })
    ?.content?.['application/json'];
  const ref = content?.schema?.$ref?.split('/').pop();
  const schema = ref
    ? (document.components?.schemas?.[ref] as { required?: string[]; properties?: object } | undefined)
    : undefined;
  const fields = schema?.required ?? Object.keys(schema?.properties ?? {});
  return [...fields, ...parameters];
}

/** Every problem an operation can answer: the ones it declares and the ones of its kind. */
function problemsOf(traits: OperationTraits, document: OpenAPIObject): DocumentedProblem[] {
  const { operation } = traits;
  const declared = ((operation as unknown as Record<string, unknown>)[PROBLEMS_EXTENSION] ??
    []) as DocumentedProblem[];
  const field = inputNames(operation, document)[0] ?? 'limit';
  const parameters = operation.parameters ?? [];
  const has = (where: string) => parameters.some((parameter) => 'in' in parameter && parameter.in === where);
  const problems: DocumentedProblem[] = [
    // The text rule checks every query string and body; the validation pipe every declared input.
    of(new RequestValidationError([{ field, message: `${field} is required` }])),
    INVALID_URL,
  ];
  if (operation.requestBody) {
    problems.push(of(new MalformedJsonError()), PAYLOAD_TOO_LARGE, UNSUPPORTED_MEDIA_TYPE);
  }
  if (parameters.some((parameter) => 'name' in parameter && parameter.name === 'cursor')) {
    problems.push(of(new InvalidCursorError()));
  }
  if (has('path')) {
    problems.push(URI_TOO_LONG);
  }
  if (!traits.anonymous) {
    problems.push(of(new ApiKeyInQueryError()));
    problems.push(of(new InvalidAccessTokenError(traits.public ? 'invalid' : 'missing')));
    if (traits.scope) {
      problems.push(of(new InvalidApiKeyError()), of(new InsufficientScopeError(traits.scope)));
    } else if (traits.public) {
      // A public read checks a key that is sent, as it checks a bearer token.
      problems.push(of(new InvalidApiKeyError()));
    } else {
      problems.push(of(new ApiKeyNotAcceptedError()));
    }
    if (traits.roles) {
      problems.push(of(new RoleRequiredError(traits.roles)));
    }
  }
  if (traits.idempotent) {
    problems.push(of(new IdempotencyInFlightError()), of(new IdempotencyKeyReusedError()));
  }
  problems.push(...declared, RATE_LIMITED, INTERNAL, DATABASE_UNAVAILABLE);
  if (needsMigratedDatabase(traits.path)) {
    problems.push(DATABASE_NOT_MIGRATED);
  }
  // One entry per code (a declared one wins over a generic one: its message fits the operation).
  return [...new Map(problems.map((problem) => [`${problem.status} ${problem.code}`, problem])).values()];
}

/**
 * Writes each operation's error responses: per status, the codes it can answer, each with an example
 * that fits the operation (its path, its message). The project's e2e client checks that every problem
 * the server answers is one its operation lists.
 */
export function documentProblems(document: OpenAPIObject, traits: OperationTraits): void {
  const { operation, path } = traits;
  const problems = problemsOf(traits, document);
  delete (operation as unknown as Record<string, unknown>)[PROBLEMS_EXTENSION];
  const instance = path.replace(/\{[^}]+\}/g, EXAMPLE_ID);
  const byStatus = new Map<number, DocumentedProblem[]>();
  for (const problem of problems) {
    byStatus.set(problem.status, [...(byStatus.get(problem.status) ?? []), problem]);
  }
  for (const [status, listed] of [...byStatus].sort(([a], [b]) => a - b)) {
    const existing = operation.responses[String(status)] as ResponseObject | undefined;
    const codes = listed.map((problem) => `\`${problem.code}\``).join(', ');
    const content = problemContent();
    content['application/problem+json'] = {
      ...content['application/problem+json'],
      examples: Object.fromEntries(
        listed.map((problem) => [
          problem.code,
          {
            summary: problem.detail,
            value: problemBody(problem, instance, EXAMPLE_REQUEST_ID),
          },
        ]),
      ),
    } as (typeof content)['application/problem+json'];
    operation.responses[String(status)] = {
      ...existing,
      description: `${PROBLEM_DESCRIPTIONS[status] ?? existing?.description ?? 'Error'}. Codes: ${codes}`,
      content,
    };
  }
}
