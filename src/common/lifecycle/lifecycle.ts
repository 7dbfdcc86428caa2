import { Injectable } from '@nestjs/common';

/**
 * Where the process is in its life: once draining, readiness fails, responses close their
 * connection, and what holds connections open (realtime sockets) lets them go.
 */
@Injectable()
export class Lifecycle {
  private drainingSince?: number;
  private readonly drainListeners: (() => void)[] = [];

  get draining(): boolean {
    return this.drainingSince !== undefined;
  }

  /** The shutdown began: stop taking new work. Once; later calls change nothing. */
  startDraining(): void {
    if (this.drainingSince === undefined) {
      this.drainingSince = Date.now();
      for (const listener of this.drainListeners) {
        listener();
      }
    }
  }

  /** Calls `listener` when draining starts. */
  onDrain(listener: () => void): void {
    this.drainListeners.push(listener);
  }
}
