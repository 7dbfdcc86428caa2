import { Global, Module } from '@nestjs/common';

import { RedisService } from './redis.service';

/** The shared Redis of REDIS_URL (or its absence), for every module. */
@Global()
@Module({
  providers: [RedisService],
  exports: [RedisService],
})
export class RedisModule {}
