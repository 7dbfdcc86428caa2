import { Module } from '@nestjs/common';

import { AuthModule } from '../auth/auth.module';
import { UsersModule } from '../users/users.module';
import { AdminUsersController } from './admin-users.controller';
import { SuspensionsRepository } from './suspensions.repository';
import { SuspensionsService } from './suspensions.service';

/** Platform administration of users: suspensions (admins only; the rule is in common/auth/assert-admin). */
@Module({
  imports: [AuthModule, UsersModule],
  controllers: [AdminUsersController],
  providers: [SuspensionsService, SuspensionsRepository],
})
export class AdminModule {}
