import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { CommonModule } from './common/common.module';
import { AppConfig, AppConfigModule, ConfigOptions } from './config/config.module';
import { NodeEnv } from './config/environment';
import { requestIdOf } from './common/http/request-id';
import { requestLogFields } from './common/http/request-log';
import { HealthModule } from './health/health.module';
import { MetricsModule } from './metrics/metrics.module';
import { AccountsModule } from './modules/accounts/accounts.module';
import { AuthModule } from './modules/auth/auth.module';
import { IdempotencyModule } from './modules/idempotency/idempotency.module';
import { ChatsModule } from './modules/chats/chats.module';
import { PostsModule } from './modules/posts/posts.module';
import { ProfilesModule } from './modules/profiles/profiles.module';
import { SavedPostsModule } from './modules/saved-posts/saved-posts.module';
import { UsersModule } from './modules/users/users.module';
import { DatabaseModule } from './prisma/database.module';

@Module({})
export class AppModule {
  static forRoot(options: ConfigOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(options),
        LoggerModule.forRootAsync({
          inject: [AppConfig],
          useFactory: (config: AppConfig) => ({
            pinoHttp: {
              level: config.get('LOG_LEVEL', { infer: true }),
              genReqId: requestIdOf,
              customAttributeKeys: { reqId: 'requestId' },
              // A request is logged by what identifies it, without its headers (tokens, keys, cookies):
              // smaller lines, and far less work per request than serialising and redacting them all.
              serializers: { req: requestLogFields },
              redact: ['req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers.cookie'],
              autoLogging: { ignore: (req) => /^\/(health|metrics)\b/.test(req.url ?? '') },
              transport:
                config.get('NODE_ENV', { infer: true }) === NodeEnv.Development
                  ? { target: 'pino-pretty', options: { singleLine: true } }
                  : undefined,
            },
          }),
        }),
        CommonModule,
        DatabaseModule,
        HealthModule,
        MetricsModule,
        AuthModule,
        AccountsModule,
        IdempotencyModule,
        UsersModule,
        ProfilesModule,
        PostsModule,
        SavedPostsModule,
        ChatsModule,
      ],
    };
  }
}
