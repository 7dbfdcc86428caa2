import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';

import { AuthenticationGuard } from '@/common/auth/authentication.guard';
import { RolesGuard } from '@/common/auth/roles.guard';
import { AppConfig } from '@/config/config.module';

import { AccountsModule } from '../accounts/accounts.module';
import { UsersModule } from '../users/users.module';
import { ApiKeyStrategy } from './api-key.strategy';
import { AuthController } from './auth.controller';
import { AuthRepository } from './auth.repository';
import { AuthService } from './auth.service';
import { EmailVerification } from './email-verification';
import { JwtStrategy } from './jwt.strategy';
import { LoginAttempts } from './login-attempts';
import { PasswordChanges } from './password-changes';
import { PasswordHasher } from './password-hasher';
import { SessionsPurge } from './sessions.purge';
import { accessTokenKey, AccessTokens, RefreshTokens } from './tokens';
import { UserTokensPurge } from './user-tokens.purge';
import { UserTokensRepository } from './user-tokens.repository';
import { UserTokensService } from './user-tokens.service';

/**
 * Sign-in and sessions: registration, login, tokens, sessions, password changes, and the credentials
 * every other use of an account builds on (mailed links' tokens, email verification). Account recovery
 * (src/modules/recovery) and administration (src/modules/admin) build on what it exports.
 */
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
  controllers: [AuthController],
  providers: [
    AuthService,
    AuthRepository,
    PasswordHasher,
    AccessTokens,
    RefreshTokens,
    LoginAttempts,
    JwtStrategy,
    ApiKeyStrategy,
    UserTokensRepository,
    UserTokensService,
    EmailVerification,
    PasswordChanges,
    SessionsPurge,
    UserTokensPurge,
    // Order matters: who the caller is, then what their role allows.
    { provide: APP_GUARD, useClass: AuthenticationGuard },
    { provide: APP_GUARD, useClass: RolesGuard },
  ],
  exports: [
    AuthService,
    AuthRepository,
    PasswordHasher,
    PasswordChanges,
    UserTokensService,
    EmailVerification,
  ],
})
export class AuthModule {}
