import { HASH_CONCURRENCY, PasswordHasher } from './password-hasher';

describe('PasswordHasher', () => {
  const hasher = new PasswordHasher();

  it('verifies what it hashed, and nothing else', async () => {
    const hashed = await hasher.hash('correct horse battery staple');
    expect(hashed).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    await expect(hasher.verify(hashed, 'correct horse battery staple')).resolves.toBe(true);
    await expect(hasher.verify(hashed, 'correct horse battery stapler')).resolves.toBe(false);
    await expect(hasher.verify('not a hash', 'anything')).resolves.toBe(false);
    await expect(hasher.verify(undefined, 'anything')).resolves.toBe(false);
  });

  it('runs at most HASH_CONCURRENCY at once; the others wait their turn and are answered', async () => {
    const hashed = await hasher.hash('password one');
    const extra = 3;
    const checks = Array.from({ length: HASH_CONCURRENCY + extra }, (_, index) =>
      hasher.verify(hashed, index % 2 ? 'password one' : 'password two'),
    );
    expect(hasher.queued).toBe(extra);
    const answers = await Promise.all(checks);
    expect(answers).toEqual(checks.map((_, index) => index % 2 === 1));
    expect(hasher.queued).toBe(0);
  });
});
