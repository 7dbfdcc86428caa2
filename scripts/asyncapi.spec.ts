import { readFileSync } from 'node:fs';
import path from 'node:path';

import { Parser } from '@asyncapi/parser';
import { load } from 'js-yaml';

import { renderAsyncApi, toJsonSchema } from './asyncapi';

const ROOT = path.resolve(__dirname, '..');
const committed = readFileSync(path.join(ROOT, 'asyncapi.yaml'), 'utf8');
const openapi = JSON.parse(readFileSync(path.join(ROOT, 'openapi.json'), 'utf8')) as {
  components: { schemas: Record<string, unknown> };
};

describe('asyncapi.yaml', () => {
  it('is a valid AsyncAPI 3 document', async () => {
    const { document, diagnostics } = await new Parser().parse(committed);
    // Severity 0 is an error (DiagnosticSeverity.Error); warnings and hints leave a document valid.
    expect(diagnostics.filter((diagnostic) => Number(diagnostic.severity) === 0)).toEqual([]);
    expect(document?.version()).toBe('3.0.0');
    const events = document!
      .allMessages()
      .all()
      .map((message) => message.name());
    expect(events).toEqual(
      expect.arrayContaining(['message.created', 'chat.read', 'chat.created', 'chat.typing', 'auth.refresh']),
    );
  });

  it('has the payload schemas of openapi.json, each as JSON Schema', () => {
    const document = load(committed) as { components: { schemas: Record<string, unknown> } };
    const names = Object.keys(document.components.schemas);
    expect(names).toEqual(expect.arrayContaining(['Message', 'Chat', 'UserPublic', 'ChatLastMessage']));
    for (const name of names) {
      expect([name, document.components.schemas[name]]).toEqual([
        name,
        toJsonSchema(openapi.components.schemas[name] as never),
      ]);
    }
  });

  it('is what the generator makes of the current openapi.json', () => {
    expect(committed).toBe(renderAsyncApi());
  });
});

describe(toJsonSchema.name, () => {
  it('turns nullable into a null type, the null-only branch into { type: null }, example into examples', () => {
    expect(
      toJsonSchema({
        type: 'object',
        properties: {
          name: { type: 'string', nullable: true, example: 'Ana' },
          last: {
            anyOf: [{ $ref: '#/components/schemas/X' }, { type: 'object', nullable: true, enum: [null] }],
          },
        },
      }),
    ).toEqual({
      type: 'object',
      properties: {
        name: { type: ['string', 'null'], examples: ['Ana'] },
        last: { anyOf: [{ $ref: '#/components/schemas/X' }, { type: 'null' }] },
      },
    });
  });
});
