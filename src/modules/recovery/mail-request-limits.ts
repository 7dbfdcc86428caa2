import { createHash } from 'node:crypto';

import { Injectable, Optional } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';

import { RedisService } from '@/common/redis/redis.service';
import { SharedThrottlerStorage } from '@/common/throttling/shared-throttler-storage';
import { FixedWindowThrottlerStorage } from '@/common/throttling/throttler-storage';
import { AppConfig } from '@/config/config.module';

const NAME = 'mail';

/**
 * How many mails may be asked for (password reset, verification, email change) per recipient address
 * and per client address, in windows of MAIL_LIMIT_WINDOW_MS. Past a limit the request is answered as
 * usual and no mail is sent: the answer tells nothing, and nobody can flood a mailbox through us.
 * The windows are the throttler's own storage: in Redis across instances with REDIS_URL (per instance
 * while Redis is down), in process memory without it. Addresses are counted as SHA-256s.
 */
@Injectable()
export class MailRequestLimits {
  private readonly storage: ThrottlerStorage;
  private readonly addressLimit: number;
  private readonly clientLimit: number;
  private readonly windowMs: number;

  constructor(config: AppConfig, @Optional() redis?: RedisService) {
    this.storage = redis?.enabled ? new SharedThrottlerStorage(redis) : new FixedWindowThrottlerStorage();
    this.addressLimit = config.get('MAIL_ADDRESS_LIMIT', { infer: true });
    this.clientLimit = config.get('MAIL_CLIENT_LIMIT', { infer: true });
    this.windowMs = config.get('MAIL_LIMIT_WINDOW_MS', { infer: true });
  }

  /** Counts one request for a mail to `email` from `ip`; false when either is past its limit. */
  async allow(email: string, ip: string): Promise<boolean> {
    const address = createHash('sha256').update(email).digest('base64url');
    const [byAddress, byClient] = await Promise.all([
      this.storage.increment(
        `mail-address:${address}`,
        this.windowMs,
        this.addressLimit,
        this.windowMs,
        NAME,
      ),
      this.storage.increment(`mail-client:${ip}`, this.windowMs, this.clientLimit, this.windowMs, NAME),
    ]);
    return !byAddress.isBlocked && !byClient.isBlocked;
  }
}
