import { registerUser } from '../factories/users';
import { useTestApp } from '../helpers/test-app';

describe('profiles', () => {
  const server = useTestApp();

  it('creates with PUT (201), replaces with PUT (200), and shows it publicly', async () => {
    const user = await registerUser(server.api);
    const created = await server.api.put(
      '/v1/users/me/profile',
      { bio: 'Hi', age: 40, website: 'https://me.example.com' },
      { token: user.accessToken },
    );
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ userId: user.id, bio: 'Hi', age: 40, location: null });

    const replaced = await server.api.put(
      '/v1/users/me/profile',
      { location: 'Faro' },
      { token: user.accessToken },
    );
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ bio: null, age: null, website: null, location: 'Faro' });

    const shown = await server.api.get(`/v1/users/${user.id}/profile`);
    expect(shown.status).toBe(200);
    expect(shown.body.location).toBe('Faro');
  });

  it('of concurrent first PUTs exactly one creates the profile (201), the others replace it (200)', async () => {
    const user = await registerUser(server.api);
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, index) =>
        server.api.put('/v1/users/me/profile', { bio: `Take ${index}` }, { token: user.accessToken }),
      ),
    );
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 201]);
    const shown = await server.api.get(`/v1/users/${user.id}/profile`);
    expect(answers.map((answer) => answer.body.bio)).toContain(shown.body.bio);
  });

  it('changes some fields with PATCH, and null clears one', async () => {
    const user = await registerUser(server.api, { profile: { bio: 'Old', age: 50 } });
    const response = await server.api.patch(
      '/v1/users/me/profile',
      { bio: null, age: 51 },
      { token: user.accessToken },
    );
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ bio: null, age: 51 });
  });

  it('answers 404 to PATCH, DELETE and GET when there is no profile', async () => {
    const user = await registerUser(server.api);
    expect(
      (await server.api.patch('/v1/users/me/profile', { bio: 'x' }, { token: user.accessToken })).status,
    ).toBe(404);
    expect((await server.api.delete('/v1/users/me/profile', { token: user.accessToken })).status).toBe(404);
    const get = await server.api.get(`/v1/users/${user.id}/profile`);
    expect(get.status).toBe(404);
    expect(get.body.code).toBe('PROFILE_NOT_FOUND');
    const unknownUser = await server.api.get('/v1/users/01a211c9-1ada-701a-b52d-5e455dc3d299/profile');
    expect(unknownUser.body.code).toBe('USER_NOT_FOUND');
  });

  it('deletes my profile', async () => {
    const user = await registerUser(server.api, { profile: { bio: 'x' } });
    expect((await server.api.delete('/v1/users/me/profile', { token: user.accessToken })).status).toBe(204);
    expect((await server.api.get(`/v1/users/${user.id}/profile`)).status).toBe(404);
  });

  it.each([
    ['bio', { bio: 'b'.repeat(2001) }],
    ['age', { age: 12 }],
    ['age', { age: 121 }],
    ['age', { age: 30.5 }],
    ['avatarUrl', { avatarUrl: 'http://x.example.com/a.png' }],
    ['website', { website: 'javascript:alert(1)' }],
    ['userId', { userId: '01a211c9-1ada-701a-b52d-5e455dc3d299' }],
  ])('names the invalid field %s and changes nothing', async (field, body) => {
    const user = await registerUser(server.api, { profile: { bio: 'kept' } });
    const response = await server.api.put('/v1/users/me/profile', body, {
      token: user.accessToken,
      invalid: `an invalid ${field}`,
    });
    expect(response.status).toBe(400);
    expect(response.body.errors.map((error: { field: string }) => error.field)).toContain(field);
    expect((await server.api.get(`/v1/users/${user.id}/profile`)).body.bio).toBe('kept');
  });

  it("changes only the caller's own profile: another user's is untouched", async () => {
    const owner = await registerUser(server.api, { profile: { bio: 'mine' } });
    const other = await registerUser(server.api);
    await server.api.patch('/v1/users/me/profile', { bio: 'hacked' }, { token: other.accessToken });
    await server.api.delete('/v1/users/me/profile', { token: other.accessToken });
    expect((await server.api.get(`/v1/users/${owner.id}/profile`)).body.bio).toBe('mine');
  });

  it('needs a token to write', async () => {
    expect((await server.api.put('/v1/users/me/profile', { bio: 'x' })).status).toBe(401);
    expect((await server.api.patch('/v1/users/me/profile', { bio: 'x' })).status).toBe(401);
    expect((await server.api.delete('/v1/users/me/profile')).status).toBe(401);
  });
});
