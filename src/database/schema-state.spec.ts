import { type AppliedRow, compareHistory } from './migrator';
import { describeHistory } from './schema-state';

const shipped = ['20260101000000_a', '20260102000000_b', '20260103000000_c'].map((name) => ({ name }));

function row(name: string, finished = true): AppliedRow {
  return { migration_name: name, checksum: '0'.repeat(64), finished_at: finished ? new Date() : null };
}

describe(compareHistory.name, () => {
  it('finds every shipped migration pending on a database without history', () => {
    expect(compareHistory(shipped, [])).toEqual({
      pending: ['20260101000000_a', '20260102000000_b', '20260103000000_c'],
      unknown: [],
    });
  });

  it('counts a migration that failed half-way as pending, not applied', () => {
    const applied = [row('20260101000000_a'), row('20260102000000_b', false)];
    expect(compareHistory(shipped, applied).pending).toEqual(['20260102000000_b', '20260103000000_c']);
  });

  it('names applied migrations this code does not ship, once each', () => {
    const applied = [
      ...shipped.map(({ name }) => row(name)),
      row('20270101000000_z', false),
      row('20270101000000_z'),
    ];
    expect(compareHistory(shipped, applied)).toEqual({ pending: [], unknown: ['20270101000000_z'] });
  });
});

describe(describeHistory.name, () => {
  it('names pending and unknown migrations, each with what to do', () => {
    expect(
      describeHistory({ pending: ['20260103000000_c'], unknown: ['20270101000000_y', '20270101000000_z'] }),
    ).toBe(
      '1 migration pending (20260103000000_c): run `npm run db:migrate`; 2 migrations applied that this ' +
        'version does not know (20270101000000_y, 20270101000000_z): a newer version migrated it; run that ' +
        'version or a later one',
    );
  });
});
