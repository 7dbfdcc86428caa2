import { PreconditionFailedError } from '../errors/domain-error';
import { entityTag, entityTagOf, IfMatch } from './conditional';

describe('conditional requests', () => {
  const tag = entityTagOf({ id: 'p1', title: 'Flat' });

  it('tags a representation by the bytes it is sent as', () => {
    expect(tag).toBe(entityTag('{"id":"p1","title":"Flat"}'));
    expect(tag).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
    expect(entityTagOf({ title: 'Flat', id: 'p1' })).not.toBe(tag);
  });

  describe(IfMatch.name, () => {
    it.each([tag, `"a", ${tag}`, `${tag} ,"b"`, '*', ` ${tag} `, `"a",,${tag}`])(
      'matches the current tag in %p',
      (field) => expect(IfMatch.of(field)!.matches(tag)).toBe(true),
    );

    it.each([`W/${tag}`, '"other"', '', 'nonsense', `${tag} garbage`, tag.slice(0, -1), `${tag}"x"`])(
      'matches nothing with %p (strong comparison; malformed matches nothing)',
      (field) => expect(IfMatch.of(field)!.matches(tag)).toBe(false),
    );

    it('joins a field sent over several header lines', () => {
      expect(IfMatch.of(['"a"', tag])!.matches(tag)).toBe(true);
      expect(IfMatch.of(undefined)).toBeUndefined();
    });

    it('hands back the version of a matching representation, else refuses', () => {
      const record = { id: 'p1', title: 'Flat', version: 7 };
      const represent = ({ id, title }: typeof record) => ({ id, title });
      const version = (post: typeof record) => post.version;
      expect(IfMatch.of(tag)!.versionOf(record, represent, version)).toBe(7);
      expect(() => IfMatch.of('"stale"')!.versionOf(record, represent, version)).toThrow(
        PreconditionFailedError,
      );
      expect(() => IfMatch.of('*')!.versionOf(null, represent, version)).toThrow(PreconditionFailedError);
    });
  });
});
