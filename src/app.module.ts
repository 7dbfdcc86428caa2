import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';

import { CommonModule } from './common/common.module';
import { IdempotencyModule } from './common/idempotency/idempotency.module';
import { Clock, ClockModule } from './common/time/clock';
import { AppConfig, AppConfigModule, ConfigOptions } from './config/config.module';
import { NodeEnv } from './config/environment';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { JobsModule } from './jobs/jobs.module';
import { PurgeModule } from './jobs/purge/purge.module';
import { MailModule } from './mail/mail.module';
import { MetricsModule } from './metrics/metrics.module';
import { AccountsModule } from './modules/accounts/accounts.module';
import { AdminModule } from './modules/admin/admin.module';
import { AuditModule } from './modules/audit/audit.module';
import { AuditLogModule } from './modules/audit/audit-log.module';
import { AuthModule } from './modules/auth/auth.module';
import { ChatsModule } from './modules/chats/chats.module';
import { PhotosModule } from './modules/photos/photos.module';
import { MediaModule } from './modules/photos/storage/media.module';
import { PostsModule } from './modules/posts/posts.module';
import { ProfilesModule } from './modules/profiles/profiles.module';
import { RecoveryModule } from './modules/recovery/recovery.module';
import { ReportsModule } from './modules/reports/reports.module';
import { SavedPostsModule } from './modules/saved-posts/saved-posts.module';
import { UsersModule } from './modules/users/users.module';
import { WebhooksModule } from './modules/webhooks/webhooks.module';
import { RealtimeEventsModule } from './realtime/realtime.module';

/** How the application is assembled: its settings, and the clock it writes times with. */
export interface AppOptions extends ConfigOptions {
  clock?: Clock;
}

@Module({})
export class AppModule {
  static forRoot(options: AppOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(options),
        LoggerModule.forRootAsync({
          inject: [AppConfig],
          useFactory: (config: AppConfig) => ({
            // Application logs only: no request middleware (pino-http and a per-request context).
            // Requests are logged from Fastify's response hook instead (common/http/request-log.ts).
            forRoutes: [],
            pinoHttp: {
              level: config.get('LOG_LEVEL', { infer: true }),
              redact: ['req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers.cookie'],
              transport:
                config.get('NODE_ENV', { infer: true }) === NodeEnv.Development
                  ? { target: 'pino-pretty', options: { singleLine: true } }
                  : undefined,
            },
          }),
        }),
        CommonModule,
        ClockModule.forRoot(options.clock),
        DatabaseModule,
        JobsModule,
        MailModule,
        HealthModule,
        MetricsModule,
        RealtimeEventsModule,
        AuditLogModule,
        AuthModule,
        RecoveryModule,
        AdminModule,
        AccountsModule,
        IdempotencyModule,
        UsersModule,
        ProfilesModule,
        MediaModule,
        PostsModule,
        PhotosModule,
        SavedPostsModule,
        ChatsModule,
        WebhooksModule,
        AuditModule,
        ReportsModule,
        PurgeModule,
      ],
    };
  }
}
