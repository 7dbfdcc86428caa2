import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { ProblemDetailsDto } from '../errors/problem-details.dto';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

const DESCRIPTIONS: Record<number, string> = {
  400: 'The request is not valid (`VALIDATION_FAILED` lists each field)',
  401: 'No valid credentials were given',
  403: 'The caller may see the resource but not do this',
  404: 'The resource does not exist or is not visible to the caller',
  409: 'The request conflicts with the current state',
  413: 'The request body is too large',
  422: 'The request is well-formed but cannot be processed',
  429: 'Too many requests: wait for `Retry-After` seconds',
  500: 'An unexpected error occurred',
  503: 'The service or a dependency is not available',
};

export function problemContent(): Record<string, { schema: { $ref: string } }> {
  return { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: getSchemaPath(ProblemDetailsDto) } } };
}

/** Documents the error responses of an operation, each as problem details. */
export const ApiProblems = (...statuses: number[]): MethodDecorator & ClassDecorator =>
  applyDecorators(
    ApiExtraModels(ProblemDetailsDto),
    ...statuses.map((status) =>
      ApiResponse({ status, description: DESCRIPTIONS[status] ?? 'Error', content: problemContent() }),
    ),
  );
