import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';

import { DomainError, FieldError } from '../errors/domain-error';
import { toProblem } from '../errors/problem';
import { ProblemDetailsDto } from '../errors/problem-details.dto';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Where an operation's declared problems wait for the document builder (openapi.document.ts). */
export const PROBLEMS_EXTENSION = 'x-problems';

/** One error an operation can answer: its status, code and message, as the filter writes them. */
export interface DocumentedProblem {
  status: number;
  code: string;
  detail: string;
  errors?: FieldError[];
}

export const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: 'The request is not valid',
  401: 'No valid credentials were given',
  403: 'The caller may not do this',
  404: 'The resource does not exist or is not visible to the caller',
  409: 'The request conflicts with the current state',
  412: 'The resource changed since the `If-Match` version',
  413: 'The request body is too large',
  414: 'A path segment is longer than any id',
  415: 'The request body is not JSON',
  422: 'The request is well-formed but cannot be processed',
  429: 'Too many requests: wait for `Retry-After` seconds',
  500: 'An unexpected error occurred',
  503: 'The service or a dependency is not available: try again after `Retry-After` seconds',
};

export function problemContent(): Record<string, { schema: { $ref: string } }> {
  return { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: getSchemaPath(ProblemDetailsDto) } } };
}

/** The problem the error filter answers for `error`. */
export function documentedProblem(error: DomainError): DocumentedProblem {
  const { status, code, detail, errors } = toProblem(error);
  return { status, code, detail, ...(errors ? { errors } : {}) };
}

/** Adds problems to what an operation declares; several decorators on one route add up. */
function addProblems(problems: DocumentedProblem[]): MethodDecorator {
  return (_target, _key, descriptor) => {
    const handler = descriptor.value as object;
    const extensions = (Reflect.getMetadata('swagger/apiExtension', handler) ?? {}) as Record<
      string,
      unknown
    >;
    const declared = (extensions[PROBLEMS_EXTENSION] ?? []) as DocumentedProblem[];
    Reflect.defineMetadata(
      'swagger/apiExtension',
      { ...extensions, [PROBLEMS_EXTENSION]: [...declared, ...problems] },
      handler,
    );
    return descriptor;
  };
}

/**
 * Documents the errors an operation answers, each by the domain error a service or guard throws:
 * `@ApiProblems(new PostNotFoundError(), new NotPostOwnerError())`. The document lists, per status,
 * every code with an example built from the error itself; the problems every operation of a kind can
 * answer (validation, credentials, limits, outages) are added by the document builder.
 */
export const ApiProblems = (...errors: DomainError[]): MethodDecorator => {
  const problems = errors.map(documentedProblem);
  const statuses = [...new Set(problems.map((problem) => problem.status))];
  return applyDecorators(
    ApiExtraModels(ProblemDetailsDto),
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: PROBLEM_DESCRIPTIONS[status] ?? 'Error',
        content: problemContent(),
      }),
    ),
    addProblems(problems),
  );
};
