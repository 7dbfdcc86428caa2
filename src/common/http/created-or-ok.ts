import type { FastifyReply } from 'fastify';

/** What a create-or-return operation produced, and whether this call created it. */
export interface Upserted<T> {
  value: T;
  created: boolean;
}

/** The value of an `Upserted`, answered 201 when this call created it, else 200. */
export function createdOrOk<T>(reply: FastifyReply, { value, created }: Upserted<T>): T {
  void reply.status(created ? 201 : 200);
  return value;
}
