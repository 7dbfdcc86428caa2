import { Prisma } from '@prisma/client';

import { isDatabaseUnavailable } from './database-unavailable';

function withFields(message: string, fields: Record<string, unknown>): Error {
  return Object.assign(new Error(message), fields);
}

describe('isDatabaseUnavailable', () => {
  it.each([
    [
      'a refused connection',
      withFields('connect ECONNREFUSED 127.0.0.1:1', {
        code: 'ECONNREFUSED',
        syscall: 'connect',
        errno: -111,
      }),
    ],
    ['a pool that cannot connect in time', new Error('timeout exceeded when trying to connect')],
    ['a connection lost mid-statement', new Error('Connection terminated unexpectedly')],
    [
      'the server shutting down',
      withFields('terminating connection due to administrator command', { code: '57P01', severity: 'FATAL' }),
    ],
    [
      'too many connections',
      withFields('sorry, too many clients already', { code: '53300', severity: 'FATAL' }),
    ],
    ['a connection exception', withFields('connection failure', { code: '08006', severity: 'FATAL' })],
    [
      "Prisma's P1001",
      new Prisma.PrismaClientKnownRequestError("Can't reach database server", {
        code: 'P1001',
        clientVersion: '6',
      }),
    ],
    [
      'a driver adapter error inside a Prisma error',
      new Prisma.PrismaClientKnownRequestError('Raw query failed', {
        code: 'P2010',
        clientVersion: '6',
        meta: { driverAdapterError: { cause: { kind: 'ConnectionClosed' } } },
      }),
    ],
    ['a wrapped cause', new Error('query failed', { cause: new Error('Connection terminated') })],
  ])('is true for %s', (_, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    [
      'a unique violation',
      new Prisma.PrismaClientKnownRequestError('Unique', { code: 'P2002', clientVersion: '6' }),
    ],
    ['a syntax error', withFields('syntax error at or near "x"', { code: '42601', severity: 'ERROR' })],
    [
      'a NUL in text',
      withFields('invalid byte sequence for encoding "UTF8": 0x00', { code: '22021', severity: 'ERROR' }),
    ],
    ['a plain error', new Error('something else')],
    ['a string', 'ECONNREFUSED'],
    ['nothing', undefined],
  ])('is false for %s', (_, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });

  it('stops on a cycle of causes', () => {
    const error = new Error('outer') as Error & { cause?: unknown };
    error.cause = error;
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});
