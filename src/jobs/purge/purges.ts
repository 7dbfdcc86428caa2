import { Injectable } from '@nestjs/common';

/** Deletes at most `limit` rows that are dead at `now`; how many it deleted. */
export type DeleteBatch = (now: Date, limit: number) => Promise<number>;

/** A purge registered by the feature that owns the rows, under the name its count is reported by. */
export interface Purge {
  name: string;
  deleteBatch: DeleteBatch;
}

/**
 * What the scheduled purge deletes: each feature registers its own dead rows here while the
 * application starts (`onModuleInit`), so that the job knows no feature.
 */
@Injectable()
export class Purges {
  private readonly purges = new Map<string, DeleteBatch>();

  register(name: string, deleteBatch: DeleteBatch): void {
    if (this.purges.has(name)) {
      throw new Error(`Purge ${name} is registered twice`);
    }
    this.purges.set(name, deleteBatch);
  }

  /** The purges registered, in their order of registration. */
  all(): Purge[] {
    return [...this.purges].map(([name, deleteBatch]) => ({ name, deleteBatch }));
  }
}
