import path from 'node:path';

import { ESLint, Linter } from 'eslint';
import tseslint from 'typescript-eslint';

const ROOT = path.resolve(__dirname, '..', '..');

/**
 * The direction of the house (eslint.config.mjs): infrastructure never imports a feature. Each fixture
 * is linted as if it sat at its path, with the options the project's configuration gives that path.
 */
async function restrictedImports(file: string, code: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: ROOT });
  const config = (await eslint.calculateConfigForFile(file)) as Linter.Config;
  const linter = new Linter({ cwd: ROOT });
  const messages = linter.verify(
    code,
    {
      files: ['**/*.ts'],
      languageOptions: { parser: tseslint.parser },
      rules: { 'no-restricted-imports': config.rules?.['no-restricted-imports'] ?? 'off' },
    },
    path.join(ROOT, file),
  );
  return messages.map((message) => message.message);
}

const IMPORTS_A_FEATURE = "import { PostsService } from '../../modules/posts/posts.service';\n";
const IMPORTS_A_FEATURE_TYPE = "import type { ChatDto } from '../modules/chats/dto/chat.dto';\n";

describe('the lint rule for the direction of the house', () => {
  it.each([
    ['src/common/http/fixture.ts', IMPORTS_A_FEATURE],
    ['src/common/idempotency/fixture.repository.ts', IMPORTS_A_FEATURE],
    ['src/jobs/purge/fixture.ts', IMPORTS_A_FEATURE],
    ['src/database/fixture.ts', IMPORTS_A_FEATURE_TYPE],
    ['src/realtime/fixture.ts', IMPORTS_A_FEATURE_TYPE],
    ['src/openapi/fixture.ts', IMPORTS_A_FEATURE_TYPE],
  ])('fails %s, which imports a feature', async (file, code) => {
    expect(await restrictedImports(file, code)).toEqual([
      expect.stringContaining('Infrastructure never imports a feature'),
    ]);
  });

  it('lets a feature import infrastructure and another feature', async () => {
    const code =
      "import { Clock } from '../../common/time/clock';\n" +
      "import { UsersModule } from '../users/users.module';\n";
    expect(await restrictedImports('src/modules/posts/fixture.ts', code)).toEqual([]);
  });

  it('still keeps Prisma out of infrastructure outside src/database', async () => {
    const code = "import { PrismaService } from 'nestjs-prisma';\n";
    expect(await restrictedImports('src/common/http/fixture.ts', code)).toEqual([
      expect.stringContaining('Only repositories and src/database talk to Prisma'),
    ]);
    expect(await restrictedImports('src/database/fixture.ts', code)).toEqual([]);
  });
});
