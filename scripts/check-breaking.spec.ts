import { readFileSync } from 'node:fs';
import path from 'node:path';

import {
  type Change,
  checkBreakingChanges,
  compareContracts,
  formatVerdict,
  judge,
  type Verdict,
} from './check-breaking';

interface Schema {
  type?: string;
  format?: string;
  enum?: string[];
  required?: string[];
  nullable?: boolean;
  properties?: Record<string, Schema>;
  [key: string]: unknown;
}
interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  schema: Schema;
}
interface Operation {
  parameters?: Parameter[];
  [key: string]: unknown;
}
interface Document {
  info: { version: string };
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

/**
 * The contract of release 0.1.0, kept as a fixture (openapi.released.json moves on with each release):
 * the tests plant changes in it and release them as 0.2.0 or 1.0.0.
 */
const released = JSON.parse(
  readFileSync(path.resolve(__dirname, 'fixtures', 'openapi-0.1.0.json'), 'utf8'),
) as Document;
const CHANGELOG = '# Changelog\n\n## [Unreleased]\n\n## [0.1.0] - 2026-12-01\n\n- First release.\n';

function plant(change: (doc: Document) => void, version = released.info.version): Document {
  const doc = structuredClone(released);
  change(doc);
  doc.info.version = version;
  return doc;
}

function gate(current: Document, changelog = CHANGELOG): Verdict {
  return checkBreakingChanges({ released, current, changelog });
}

/** A changelog with a 1.0.0 section naming the given operations or components. */
function changelogNaming(...names: string[]): string {
  const entries = names.map((name) => `- \`${name}\`: changed.`).join('\n');
  return CHANGELOG.replace(
    '## [0.1.0]',
    `## [1.0.0] - 2027-01-15\n\n### Changed\n\n${entries}\n\n## [0.1.0]`,
  );
}

function param(doc: Document, route: string, method: string, name: string): Parameter {
  const found = doc.paths[route][method].parameters?.find((p) => p.name === name);
  if (!found) {
    throw new Error(`no parameter ${name} on ${method} ${route}`);
  }
  return found;
}

const breakingPlants: Array<[string, (doc: Document) => void, string]> = [
  ['a removed operation', (doc) => delete doc.paths['/v1/chats/{id}/read'].post, 'POST /v1/chats/{id}/read'],
  [
    'a newly required query parameter',
    (doc) =>
      doc.paths['/v1/users'].get.parameters?.push({
        name: 'region',
        in: 'query',
        required: true,
        schema: { type: 'string' },
      }),
    'GET /v1/users',
  ],
  [
    'a removed response property',
    (doc) => {
      const user = doc.components.schemas.User;
      delete user.properties?.email;
      user.required = user.required?.filter((name) => name !== 'email');
    },
    'User',
  ],
  [
    'a changed property type inside a shared component schema',
    (doc) => {
      doc.components.schemas.Post.properties!.price.type = 'string';
    },
    'Post',
  ],
  [
    'an enum value removed from a request field',
    (doc) => {
      doc.components.schemas.PostType.enum = ['RENT'];
    },
    'PostType',
  ],
  [
    'a request property made required',
    (doc) => {
      doc.components.schemas.PostUpdate.required = ['title'];
    },
    'PostUpdate',
  ],
];

describe('openapi:breaking (scripts/check-breaking.ts)', () => {
  it('passes the released contract against itself and says there is no change', () => {
    const verdict = gate(plant(() => undefined));
    expect(verdict.ok).toBe(true);
    expect(verdict.changes).toEqual([]);
    expect(formatVerdict(verdict)).toContain('PASS: No changes');
  });

  describe.each(breakingPlants)('%s', (_name, change, listedAs) => {
    // One comparison per plant (it takes about half a second); the version only matters to the rule.
    let changes: Change[];
    const judged = (currentVersion: string, changelog = CHANGELOG) =>
      judge({ changes, releasedVersion: '0.1.0', currentVersion, changelog });
    beforeAll(() => {
      changes = compareContracts(released, plant(change));
    });

    it('fails without a major version', () => {
      const verdict = judged('0.1.0');
      expect(verdict.ok).toBe(false);
      expect(verdict.blocking.length).toBeGreaterThan(0);
      expect(formatVerdict(verdict)).toMatch(/^FAIL: .*not a major version above the released 0\.1\.0/m);
    });

    it('fails with a minor version and a changelog entry', () => {
      const changelog = CHANGELOG.replace('## [0.1.0]', `## [0.2.0]\n\n- \`${listedAs}\`\n\n## [0.1.0]`);
      expect(judged('0.2.0', changelog).ok).toBe(false);
    });

    it('fails with a major version but no changelog section for it', () => {
      const verdict = judged('1.0.0');
      expect(verdict.ok).toBe(false);
      expect(verdict.summary).toContain('CHANGELOG.md has no "## [1.0.0]" section');
    });

    it('fails with a major version whose changelog section does not name it', () => {
      const verdict = judged('1.0.0', changelogNaming('GET /v1/unrelated'));
      expect(verdict.ok).toBe(false);
      expect(verdict.unlisted.length).toBe(verdict.blocking.length);
      expect(formatVerdict(verdict)).toContain('not in CHANGELOG.md:');
    });

    it(`passes with a major version and \`${listedAs}\` in its changelog section`, () => {
      const verdict = gate(plant(change, '1.0.0'), changelogNaming(listedAs));
      expect(verdict.unlisted).toEqual([]);
      expect(verdict.ok).toBe(true);
      expect(formatVerdict(verdict)).toMatch(/^PASS: .*released as major version 1\.0\.0/m);
    });
  });

  it('catches a type change in a shared schema through components, where paths call it non-breaking', () => {
    const verdict = gate(plant((doc) => (doc.components.schemas.Post.properties!.price.type = 'string')));
    const price = verdict.changes.filter((change) => change.location.endsWith('.price.type'));
    expect(
      price.filter((change) => change.location.startsWith('paths')).map((change) => change.type),
    ).toEqual(expect.arrayContaining(['non-breaking']));
    expect(verdict.blocking.map((change) => change.location)).toEqual([
      'components.schemas.Post.properties.price.type',
    ]);
  });

  it('accepts the operation instead of the component a change is defined in', () => {
    const required = (doc: Document) => (doc.components.schemas.PostUpdate.required = ['title']);
    expect(gate(plant(required, '1.0.0'), changelogNaming('PATCH /v1/posts/{id}', 'PostUpdate')).ok).toBe(
      true,
    );
    const verdict = gate(plant(required, '1.0.0'), changelogNaming('PATCH /v1/posts/{id}'));
    expect(verdict.ok).toBe(false);
    expect(verdict.unlisted.map((change) => change.subject)).toEqual(['PostUpdate']);
  });

  it('needs every breaking change named when several are released together', () => {
    const both = (doc: Document) => {
      delete doc.paths['/v1/chats/{id}/read'].post;
      doc.components.schemas.PostType.enum = ['RENT'];
    };
    expect(gate(plant(both, '1.0.0'), changelogNaming('PostType')).ok).toBe(false);
    expect(gate(plant(both, '1.0.0'), changelogNaming('PostType', 'POST /v1/chats/{id}/read')).ok).toBe(true);
  });

  it('passes a new optional response property without a version change', () => {
    const verdict = gate(
      plant((doc) => (doc.components.schemas.User.properties!.nickname = { type: 'string', nullable: true })),
    );
    expect(verdict.changes.length).toBeGreaterThan(0);
    expect(verdict.blocking).toEqual([]);
    expect(verdict.ok).toBe(true);
    expect(formatVerdict(verdict)).toContain('PASS: No breaking change');
  });

  it('passes a new operation without a version change', () => {
    const verdict = gate(
      plant((doc) => {
        doc.paths['/v1/ping'] = { get: { operationId: 'ping', responses: { 200: { description: 'pong' } } } };
      }),
    );
    expect(verdict.changes.map((change) => `${change.type} ${change.subject}`)).toEqual([
      'non-breaking GET /v1/ping',
    ]);
    expect(verdict.ok).toBe(true);
  });

  it('passes a deprecated operation, reported as deprecated', () => {
    const verdict = gate(plant((doc) => (doc.paths['/v1/chats/{id}/read'].post.deprecated = true)));
    expect(verdict.changes.map((change) => change.type)).toEqual(['deprecated']);
    expect(verdict.ok).toBe(true);
  });

  it('counts a new example of a response as an annotation, not as an unclassified change', () => {
    const verdict = gate(
      plant((doc) => {
        const responses = doc.paths['/health/live'].get.responses as Record<
          string,
          { content: Record<string, Record<string, unknown>> }
        >;
        responses['429'].content['application/problem+json'].examples = {
          LIMITED: { summary: 'Too many', value: {} },
        };
      }),
    );
    expect(verdict.changes.length).toBeGreaterThan(0);
    expect(verdict.changes.every((change) => change.type === 'annotation')).toBe(true);
    expect(verdict.ok).toBe(true);
  });

  it('blocks an unclassified change like a breaking one', () => {
    const discriminator = (doc: Document) =>
      (doc.components.schemas.Post.discriminator = { propertyName: 'type' });
    const verdict = gate(plant(discriminator));
    expect(verdict.blocking.length).toBeGreaterThan(0);
    expect(verdict.blocking.every((change) => change.type === 'unclassified')).toBe(true);
    expect(verdict.ok).toBe(false);
    expect(gate(plant(discriminator, '1.0.0'), changelogNaming('Post')).ok).toBe(true);
  });

  describe('moving an inline copy into a named component', () => {
    const lastMessage = released.components.schemas.Chat.properties!.lastMessage;

    it('passes when the reference is nullable and described (allOf of one $ref)', () => {
      const verdict = gate(
        plant((doc) => {
          const { nullable: _nullable, ...copy } = structuredClone(lastMessage);
          doc.components.schemas.LastMessage = copy;
          doc.components.schemas.Chat.properties!.lastMessage = {
            nullable: true,
            description: 'The latest message, if any.',
            allOf: [{ $ref: '#/components/schemas/LastMessage' }],
          };
        }),
      );
      expect(verdict.blocking).toEqual([]);
      expect(verdict.ok).toBe(true);
    });

    it('still fails when the referenced component differs from the copy it replaces', () => {
      const verdict = gate(
        plant((doc) => {
          doc.components.schemas.Chat.properties!.lastMessage = {
            allOf: [{ $ref: '#/components/schemas/ChatLastMessage' }],
          };
        }),
      );
      expect(verdict.ok).toBe(false);
      expect(verdict.blocking.some((change) => change.location.endsWith('lastMessage.nullable'))).toBe(true);
    });
  });

  // How api-smart-diff classifies the changes that make the document more exact
  // (docs/api/openapi.md#releasing).
  describe('exactness changes', () => {
    it('passes an optional query parameter that was required', () => {
      expect(gate(plant((doc) => delete param(doc, '/v1/posts', 'get', 'limit').required)).ok).toBe(true);
    });

    it('passes number -> integer on a query parameter (query types are not compared)', () => {
      expect(gate(plant((doc) => (param(doc, '/v1/posts', 'get', 'limit').schema.type = 'integer'))).ok).toBe(
        true,
      );
      expect(gate(plant((doc) => (param(doc, '/v1/posts', 'get', 'city').schema.type = 'integer'))).ok).toBe(
        true,
      );
    });

    it('fails a uuid format added to a path parameter', () => {
      const verdict = gate(
        plant((doc) => (param(doc, '/v1/posts/{id}', 'get', 'id').schema.format = 'uuid')),
      );
      expect(verdict.blocking.map((change) => change.subject)).toEqual(['GET /v1/posts/{id}']);
    });

    it('fails number -> integer on a request body property', () => {
      const verdict = gate(
        plant((doc) => (doc.components.schemas.PostCreate.properties!.latitude.type = 'integer')),
      );
      expect(verdict.blocking.map((change) => change.subject).sort()).toEqual([
        'POST /v1/posts',
        'PostCreate',
      ]);
    });

    it('fails number -> integer on a response-only property, through components alone', () => {
      const verdict = gate(
        plant((doc) => (doc.components.schemas.Post.properties!.latitude.type = 'integer')),
      );
      expect(verdict.blocking.map((change) => change.location)).toEqual([
        'components.schemas.Post.properties.latitude.type',
      ]);
    });
  });
});
