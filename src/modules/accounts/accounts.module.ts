import { Module } from '@nestjs/common';

import { AccountsController } from './accounts.controller';
import { AccountsRepository } from './accounts.repository';
import { AccountsService } from './accounts.service';
import { ApiKeysController } from './api-keys.controller';
import { ApiKeysRepository } from './api-keys.repository';
import { ApiKeysService } from './api-keys.service';

@Module({
  controllers: [AccountsController, ApiKeysController],
  providers: [AccountsService, AccountsRepository, ApiKeysService, ApiKeysRepository],
  exports: [AccountsRepository, ApiKeysService],
})
export class AccountsModule {}
