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

/**
 * The columns of the unique constraint a write violated (`['email']`), when Prisma says which. Over a
 * driver adapter the names come from the database error; otherwise from `meta.target`.
 */
export function uniqueViolationFields(error: unknown): string[] {
  if (classifyPrismaError(error) !== 'unique') {
    return [];
  }
  const meta = (error as Prisma.PrismaClientKnownRequestError).meta as
    { target?: unknown; driverAdapterError?: { cause?: { constraint?: { fields?: unknown } } } } | undefined;
  const fields = meta?.driverAdapterError?.cause?.constraint?.fields ?? meta?.target;
  if (Array.isArray(fields)) {
    return fields.map((field) => String(field).replace(/"/g, ''));
  }
  return typeof fields === 'string' ? [fields] : [];
}
