import { Clock } from '@/common/time/clock';

/**
 * A clock whose every reading is at least a millisecond after the one before (the columns keep
 * milliseconds): rows written one after another get strictly increasing times, so a test can assert
 * their order without sleeping between requests.
 */
export class SteppingClock extends Clock {
  private last = 0;

  override now(): Date {
    this.last = Math.max(Date.now(), this.last + 1);
    return new Date(this.last);
  }
}
