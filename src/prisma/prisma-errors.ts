import { Prisma } from '@prisma/client';

export type PrismaFailure = 'unique' | 'foreign_key' | 'not_found';

/** What a Prisma error means for a caller, or undefined when it is not a data error. */
export function classifyPrismaError(error: unknown): PrismaFailure | undefined {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError)) {
    return undefined;
  }
  switch (error.code) {
    case 'P2002':
      return 'unique';
    case 'P2003':
      return 'foreign_key';
    case 'P2025':
      return 'not_found';
    default:
      return undefined;
  }
}
