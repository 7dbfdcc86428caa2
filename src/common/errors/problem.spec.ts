import {
  BadRequestException,
  HttpException,
  NotFoundException,
  PayloadTooLargeException,
} from '@nestjs/common';
import { Prisma } from '@prisma/client';

import { ConflictError, NotFoundError, RequestValidationError } from './domain-error';
import { problemBody, toProblem } from './problem';

const prismaError = (code: string) =>
  new Prisma.PrismaClientKnownRequestError('boom: internal detail', { code, clientVersion: 'test' });

describe(toProblem.name, () => {
  it('maps domain errors by kind, keeping their code and message', () => {
    expect(toProblem(new NotFoundError('POST_NOT_FOUND', 'Post not found'))).toEqual({
      status: 404,
      code: 'POST_NOT_FOUND',
      detail: 'Post not found',
      errors: undefined,
      retryAfter: undefined,
    });
    expect(toProblem(new ConflictError('EMAIL_TAKEN', 'taken')).status).toBe(409);
  });

  it('lists every field of a validation error', () => {
    const problem = toProblem(
      new RequestValidationError([{ field: 'email', message: 'email must be an email' }]),
    );
    expect(problem).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect(problem.errors).toEqual([{ field: 'email', message: 'email must be an email' }]);
  });

  it('maps unique violations to 409 and missing records to 404, without internals', () => {
    expect(toProblem(prismaError('P2002'))).toMatchObject({ status: 409, code: 'CONFLICT' });
    expect(toProblem(prismaError('P2025'))).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    expect(JSON.stringify(toProblem(prismaError('P2002')))).not.toContain('internal detail');
  });

  it('maps framework HTTP exceptions by status', () => {
    expect(toProblem(new NotFoundException('Cannot GET /x'))).toMatchObject({
      status: 404,
      code: 'NOT_FOUND',
      detail: 'No route matches GET /x.',
    });
    expect(toProblem(new PayloadTooLargeException())).toMatchObject({
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
    });
    expect(toProblem(new BadRequestException(['a', 'b']))).toMatchObject({ status: 400, detail: 'a; b' });
  });

  it('answers anything unexpected as a bare 500', () => {
    expect(toProblem(new Error('connection string postgres://secret'))).toEqual({
      status: 500,
      code: 'INTERNAL_ERROR',
      detail: 'An unexpected error occurred.',
    });
    expect(toProblem(new HttpException('internal', 502)).code).toBe('INTERNAL_ERROR');
  });
});

describe(problemBody.name, () => {
  it('renders RFC 9457 fields with a type URI derived from the code', () => {
    expect(
      problemBody({ status: 409, code: 'EMAIL_TAKEN', detail: 'taken' }, '/v1/auth/register', 'r1'),
    ).toEqual({
      type: 'urn:problem-type:email-taken',
      title: 'Conflict',
      status: 409,
      detail: 'taken',
      instance: '/v1/auth/register',
      code: 'EMAIL_TAKEN',
      requestId: 'r1',
    });
  });
});
