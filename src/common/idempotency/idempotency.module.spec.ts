import { Controller, Get, Post } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { PrismaService } from 'nestjs-prisma';

import { AppConfig } from '@/config/config.module';
import { Purges } from '@/jobs/purge/purges';

import { NotIdempotent } from './idempotency';
import { IdempotencyModule } from './idempotency.module';
import { Idempotent } from './idempotent.decorator';

@Controller('decided')
class DecidedController {
  @Post('a')
  @Idempotent()
  a(): void {}

  @Post('b')
  @NotIdempotent()
  b(): void {}

  @Get()
  read(): void {}
}

@Controller('undecided')
class UndecidedController {
  @Post()
  forgotten(): void {}
}

function compile(...controllers: (new () => object)[]) {
  return Test.createTestingModule({ imports: [IdempotencyModule], controllers })
    .useMocker((token) =>
      token === PrismaService || token === Purges
        ? {}
        : token === AppConfig
          ? { get: () => 60_000 }
          : undefined,
    )
    .compile();
}

describe('IdempotencyModule', () => {
  it('starts when every POST is marked @Idempotent() or @NotIdempotent()', async () => {
    await expect(compile(DecidedController)).resolves.toBeDefined();
  });

  it('refuses to start with a POST marked neither, naming it', async () => {
    await expect(compile(DecidedController, UndecidedController)).rejects.toThrow(
      'POST handlers must be marked @Idempotent() or @NotIdempotent(): UndecidedController.forgotten',
    );
  });
});
