import type { AuthUser } from '@/common/auth/auth-user';
import { UserRole } from '@/common/auth/roles';
import { PreconditionFailedError } from '@/common/errors/domain-error';
import { entityTagOf, IfMatch } from '@/common/http/conditional';
import { strictFake } from '@test/helpers/strict-fake';

import { UserNotFoundError } from '../users/users.errors';
import type { UsersRepository } from '../users/users.repository';
import { ProfileNotFoundError } from './profiles.errors';
import { toProfileDto } from './profiles.mapper';
import type { ProfileRecord, ProfilesRepository } from './profiles.repository';
import { ProfilesService } from './profiles.service';

const actor: AuthUser = { kind: 'user', id: 'u1', role: UserRole.User, sessionId: 's1' };

function profileRecord(userId: string): ProfileRecord {
  const at = new Date('2026-01-01T00:00:00Z');
  return {
    userId,
    bio: 'Agent in Lisbon',
    avatarUrl: null,
    age: 34,
    location: 'Lisbon',
    website: null,
    version: 2,
    createdAt: at,
    updatedAt: at,
  };
}

function build(profiles: Partial<ProfilesRepository>, users: Partial<UsersRepository> = {}) {
  return new ProfilesService(strictFake<ProfilesRepository>(profiles), strictFake<UsersRepository>(users));
}

async function expectProfileNotFound(call: Promise<unknown>): Promise<void> {
  await expect(call).rejects.toThrow(ProfileNotFoundError);
  await expect(call).rejects.toHaveProperty('code', 'PROFILE_NOT_FOUND');
}

describe(ProfilesService.name, () => {
  describe('reading a profile', () => {
    it('gives the profile of the user asked for', async () => {
      const findByUserId = jest.fn().mockResolvedValue(profileRecord('u2'));
      await expect(build({ findByUserId }).getProfile('u2')).resolves.toMatchObject({
        userId: 'u2',
        bio: 'Agent in Lisbon',
      });
      expect(findByUserId).toHaveBeenCalledWith('u2');
    });

    it('tells an unknown user from a user without a profile', async () => {
      const findByUserId = () => Promise.resolve(null);
      const exists = jest.fn().mockResolvedValue(false);

      const unknown = build({ findByUserId }, { exists }).getProfile('nobody');
      await expect(unknown).rejects.toThrow(UserNotFoundError);
      await expect(unknown).rejects.toHaveProperty('code', 'USER_NOT_FOUND');
      expect(exists).toHaveBeenCalledWith('nobody');

      await expectProfileNotFound(
        build({ findByUserId }, { exists: () => Promise.resolve(true) }).getProfile('u2'),
      );
    });
  });

  describe('changing a profile', () => {
    it('replaces the profile of the caller and says whether it created it', async () => {
      const input = { bio: 'New bio', age: 40 };
      for (const created of [true, false]) {
        const replace = jest.fn().mockResolvedValue({ profile: profileRecord('u1'), created });
        const result = await build({ replace }).replaceProfile(actor, input);
        expect(replace).toHaveBeenCalledWith('u1', input, undefined);
        expect(result).toMatchObject({ created, value: { userId: 'u1' } });
      }
    });

    it('changes and deletes only the profile of the caller', async () => {
      const update = jest.fn().mockResolvedValue(profileRecord('u1'));
      const remove = jest.fn().mockResolvedValue(true);
      const service = build({ update, delete: remove });
      await service.updateProfile(actor, { website: null });
      await service.deleteProfile(actor);
      expect(update).toHaveBeenCalledWith('u1', { website: null }, undefined);
      expect(remove).toHaveBeenCalledWith('u1');
    });

    it('answers not found when the caller has no profile to change or delete', async () => {
      const service = build({ update: () => Promise.resolve(null), delete: () => Promise.resolve(false) });
      await expectProfileNotFound(service.updateProfile(actor, { bio: 'x' }));
      await expectProfileNotFound(service.deleteProfile(actor));
    });
  });

  describe('changing a profile under If-Match', () => {
    const current = profileRecord('u1');
    const tag = entityTagOf(toProfileDto(current));
    const findByUserId = () => Promise.resolve(current);

    it('writes against the version the tag names', async () => {
      const replace = jest.fn().mockResolvedValue({ profile: current, created: false });
      const update = jest.fn().mockResolvedValue(current);
      const service = build({ findByUserId, replace, update });
      await service.replaceProfile(actor, { bio: 'b' }, IfMatch.of(tag));
      await service.updateProfile(actor, { bio: 'b' }, IfMatch.of(`"other", ${tag}`));
      expect(replace).toHaveBeenCalledWith('u1', { bio: 'b' }, 2);
      expect(update).toHaveBeenCalledWith('u1', { bio: 'b' }, 2);
    });

    it('refuses a stale tag, and a replace of a profile that does not exist yet', async () => {
      const stale = entityTagOf(toProfileDto({ ...current, bio: 'older' }));
      const service = build({ findByUserId });
      await expect(service.replaceProfile(actor, {}, IfMatch.of(stale))).rejects.toThrow(
        PreconditionFailedError,
      );
      await expect(service.updateProfile(actor, {}, IfMatch.of(stale))).rejects.toThrow(
        PreconditionFailedError,
      );
      const none = build({ findByUserId: () => Promise.resolve(null) });
      await expect(none.replaceProfile(actor, {}, IfMatch.of('*'))).rejects.toThrow(PreconditionFailedError);
      // Without the condition a PATCH of no profile is a 404, so it stays one (RFC 9110 13.2.1).
      await expectProfileNotFound(none.updateProfile(actor, {}, IfMatch.of('*')));
    });

    it('refuses when another change lands between the check and the write', async () => {
      const service = build({
        findByUserId,
        replace: () => Promise.resolve(null),
        update: () => Promise.resolve(null),
      });
      await expect(service.replaceProfile(actor, {}, IfMatch.of(tag))).rejects.toThrow(
        PreconditionFailedError,
      );
      await expect(service.updateProfile(actor, {}, IfMatch.of(tag))).rejects.toThrow(
        PreconditionFailedError,
      );
    });
  });
});
