import { Injectable } from '@nestjs/common';

/** Where the process is in its life: once draining, readiness fails and responses close their connection. */
@Injectable()
export class Lifecycle {
  draining = false;
}
