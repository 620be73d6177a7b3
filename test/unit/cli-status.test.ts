import { formatFleet, type FleetRow } from '../../cli/status';

const NOW = new Date('2026-11-25T12:00:00Z');
const row = (jobId: string, state: string, expiresInDays: number, stored: boolean, retired = false): FleetRow => ({
  jobId,
  state,
  createdAt: new Date(NOW.getTime() + (expiresInDays - 360) * 86_400_000).toISOString(),
  credentialsExpireAt: new Date(NOW.getTime() + expiresInDays * 86_400_000).toISOString(),
  stored,
  retired,
  versionId: stored ? 'v1' : null,
  fetchedAt: stored ? '2026-11-20T08:00:00.000Z' : null,
});

describe('the status table', () => {
  const lines = formatFleet(
    'unlockCode',
    {
      jobs: [
        row('JID-a', 'WithCustomer', 200, true),
        row('JID-b', 'WithCustomer', 12, false),
        row('JID-c', 'Complete', 90, false, true),
        row('JID-d', 'WithCustomer', -3, false),
      ],
    },
    NOW,
  );

  it('aligns every column under its header', () => {
    const header = lines[1];
    for (const l of lines.slice(2, 6)) expect(l.indexOf(l.split(/\s{2,}/)[1])).toBe(header.indexOf('STATE'));
  });

  it('flags credentials expiring within 30 days, and says which expired', () => {
    expect(lines.find((l) => l.startsWith('JID-b'))).toMatch(/! in 12 d/);
    expect(lines.find((l) => l.startsWith('JID-a'))).not.toMatch(/!/);
    expect(lines.find((l) => l.startsWith('JID-d'))).toMatch(/expired/);
    expect(lines.find((l) => l.startsWith('JID-c'))).toMatch(/retired/);
  });

  it('hints at the command for WithCustomer jobs not stored, but not for expired ones', () => {
    expect(lines.at(-1)).toBe(
      'hint: 1 WithCustomer job(s) without a stored unlock code: run "snowball-broker fetch-unlock-code --job-id JID-b".',
    );
  });
});
