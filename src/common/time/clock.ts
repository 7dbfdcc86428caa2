import { DynamicModule, Global, Module } from '@nestjs/common';

/**
 * The time the service writes into rows that lists order by (messages, read marks, chat activity).
 * Injected, so a test can make each reading strictly later than the last and order rows without
 * sleeping between requests.
 */
export class Clock {
  now(): Date {
    return new Date();
  }
}

@Global()
@Module({})
export class ClockModule {
  static forRoot(clock: Clock = new Clock()): DynamicModule {
    return { module: ClockModule, providers: [{ provide: Clock, useValue: clock }], exports: [Clock] };
  }
}
