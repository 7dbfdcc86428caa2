import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';

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
        // The validated environment is loaded as configuration, not given as `validate`: ConfigModule
        // copies what `validate` returns into process.env, where one test app's settings would leak
        // into the next app of the same process.
        ConfigModule.forRoot({
          cache: true,
          // Only validated values: never a raw variable the schema did not check.
          skipProcessEnv: true,
          ignoreEnvFile: true,
          ignoreEnvVars: true,
          load: [
            () => ({ ...validateEnvironment({ ...envFileValues(envFile), ...process.env, ...overrides }) }),
          ],
        }),
      ],
      providers: [{ provide: AppConfig, useExisting: ConfigService }],
      exports: [AppConfig],
    };
  }
}

/** The variables of `.env` in the working directory, when it is read; the process environment wins. */
function envFileValues(envFile: boolean): Record<string, string | undefined> {
  return envFile && existsSync('.env') ? parseEnv(readFileSync('.env', 'utf8')) : {};
}

/** The start's warnings about secrets that were not set: generated for this run, or kept for development. */
export function secretWarnings(config: AppConfig): string[] {
  const file = config.get('secretsFile', { infer: true });
  const generated = config
    .get('generatedSecrets', { infer: true })
    .map((name) =>
      file
        ? `${name} is not set: generated one for development and kept it in ${file} (production requires it set)`
        : `${name} is not set: generated a random one for this run (${LOST_ON_RESTART[name] ?? 'tokens'} will not survive a restart)`,
    );
  const kept = config
    .get('keptSecrets', { infer: true })
    .map(
      (name) => `${name} is not set: using the development one kept in ${file} (production requires it set)`,
    );
  return [...generated, ...kept];
}

/** What each generated secret protects, for the warning that it will not outlive this run. */
const LOST_ON_RESTART: Record<string, string> = { WEBHOOK_SECRET_KEY: "webhooks' signing secrets" };
