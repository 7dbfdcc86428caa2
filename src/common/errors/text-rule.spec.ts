import { RequestValidationError } from './domain-error';
import { assertTextRule, isHostileText, MAX_DEPTH, textRuleErrors } from './text-rule';

function nested(levels: number, leaf: unknown): unknown {
  let value = leaf;
  for (let i = 0; i < levels; i += 1) {
    value = { a: value };
  }
  return value;
}

describe('the text rule', () => {
  it.each([
    ['a NUL', 'a\u0000b', true],
    ['a lone high surrogate', 'a\ud800b', true],
    ['a lone low surrogate', '\udc00', true],
    ['a surrogate pair (an emoji)', 'a\ud83d\ude00b', false],
    ['accents and CJK', 'Ação 東京', false],
    ['empty', '', false],
  ])('treats %s as hostile: %p', (_, text, hostile) => {
    expect(isHostileText(text)).toBe(hostile);
  });

  it('names every bad field by its path, in arrays and nested objects', () => {
    const errors = textRuleErrors({ title: 'ok', detail: { desc: 'x\u0000' }, images: ['fine', '\ud800'] });
    expect(errors.map((error) => error.field).sort()).toEqual(['detail.desc', 'images.1']);
  });

  it('refuses a property name that breaks the rule, without echoing it', () => {
    const errors = textRuleErrors({ detail: { 'a\u0000': 1 } });
    expect(errors).toEqual([
      { field: 'detail', message: 'detail has a property name with NUL characters or unpaired surrogates' },
    ]);
  });

  it('refuses nesting deeper than MAX_DEPTH, and takes what is within it', () => {
    expect(textRuleErrors(nested(MAX_DEPTH - 1, 'ok'))).toEqual([]);
    expect(textRuleErrors(nested(MAX_DEPTH + 1, 'ok'))).toHaveLength(1);
    expect(() => assertTextRule({}, {}, nested(100_000, 'ok'))).toThrow(RequestValidationError);
  });

  it('passes clean requests and throws one validation error listing the fields otherwise', () => {
    expect(() => assertTextRule({ q: 'flat' }, { id: 'x' }, { text: 'hello' })).not.toThrow();
    try {
      assertTextRule({ q: 'a\u0000' }, { id: 'ok' }, { text: '\ud800' });
      throw new Error('not refused');
    } catch (error) {
      expect(error).toBeInstanceOf(RequestValidationError);
      expect((error as RequestValidationError).errors?.map((e) => e.field).sort()).toEqual(['q', 'text']);
    }
  });
});
