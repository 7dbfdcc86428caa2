import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { AppConfig } from '../../config/config.module';
import { AccountsModule } from '../accounts/accounts.module';
import { UsersModule } from '../users/users.module';
import { AuthController } from './auth.controller';
import { AuthRepository } from './auth.repository';
import { AuthService } from './auth.service';
import { ApiKeyStrategy } from './api-key.strategy';
import { AuthenticationGuard } from './authentication.guard';
import { JwtStrategy } from './jwt.strategy';
import { LoginAttempts } from './login-attempts';
import { MailRequestLimits } from './mail-request-limits';
import { PasswordChanges } from './password-changes';
import { PasswordHasher } from './password-hasher';
import { EmailChangeController, RecoveryController } from './recovery.controller';
import { RecoveryService } from './recovery.service';
import { RolesGuard } from './roles.guard';
import { AccessTokens, accessTokenKey, RefreshTokens } from './tokens';
import { UserTokensRepository } from './user-tokens.repository';
import { UserTokensService } from './user-tokens.service';
import { Transactions } from '../../database/transactions';
import { AdminUsersController } from './admin-users.controller';
import { SuspensionsRepository } from './suspensions.repository';
import { SuspensionsService } from './suspensions.service';

@Module({
  imports: [
    UsersModule,
    AccountsModule,
    PassportModule,
    JwtModule.registerAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        secret: accessTokenKey(config),
        signOptions: { algorithm: 'HS256' },
        verifyOptions: { algorithms: ['HS256'] },
      }),
    }),
  ],
  controllers: [AuthController, RecoveryController, EmailChangeController, AdminUsersController],
  providers: [
    AuthService,
    AuthRepository,
    PasswordHasher,
    AccessTokens,
    RefreshTokens,
    LoginAttempts,
    JwtStrategy,
    ApiKeyStrategy,
    Transactions,
    UserTokensRepository,
    UserTokensService,
    MailRequestLimits,
    PasswordChanges,
    RecoveryService,
    SuspensionsService,
    SuspensionsRepository,
    // Order matters: who the caller is, then what their role allows.
    { provide: APP_GUARD, useClass: AuthenticationGuard },
    { provide: APP_GUARD, useClass: RolesGuard },
  ],
  // The repository for the purge of dead sessions (src/jobs/purge).
  exports: [AuthService, AuthRepository, UserTokensRepository],
})
export class AuthModule {}
