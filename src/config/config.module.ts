import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { Environment, validateEnvironment } from './environment';

/** The validated environment, injectable as `AppConfig`. */
export class AppConfig extends ConfigService<Environment, true> {}

export interface ConfigOptions {
  /** Values that take precedence over the process environment (tests, scripts). */
  overrides?: Record<string, string | undefined>;
  /** Read a `.env` file in the working directory (default true). */
  envFile?: boolean;
}

@Module({})
export class AppConfigModule {
  static forRoot({ overrides = {}, envFile = true }: ConfigOptions = {}): DynamicModule {
    return {
      module: AppConfigModule,
      global: true,
      imports: [
        ConfigModule.forRoot({
          cache: true,
          // Only validated values: never a raw variable the schema did not check.
          skipProcessEnv: true,
          ignoreEnvFile: !envFile,
          validate: (raw) => validateEnvironment({ ...raw, ...overrides }),
        }),
      ],
      providers: [{ provide: AppConfig, useExisting: ConfigService }],
      exports: [AppConfig],
    };
  }
}
