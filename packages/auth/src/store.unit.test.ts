import { InMemoryTokenStore, isActive } from './store';
import { describeTokenStoreContract } from './testing';

describeTokenStoreContract('in-memory', async () => ({ store: new InMemoryTokenStore(), cleanup: async () => undefined }));

describe('InMemoryTokenStore', () => {
  it('stamps createdAt and revokedAt with its clock; isActive follows revocation and expiry', async () => {
    let now = 1_000;
    const store = new InMemoryTokenStore({ now: () => now });
    const { record } = await store.create({ principal: 'a', project: 'p', role: 'reader', expiresAt: 5_000 });
    expect(record.createdAt).toBe(1_000);
    expect(isActive(record, 4_999)).toBe(true);
    expect(isActive(record, 5_000)).toBe(false);
    now = 2_000;
    const revoked = await store.revoke(record.tokenId);
    expect(revoked.revokedAt).toBe(2_000);
    expect(isActive(revoked, 3_000)).toBe(false);
  });

  it('returned records are copies: mutating one does not change the store', async () => {
    const store = new InMemoryTokenStore();
    const { record } = await store.create({ principal: 'a', project: 'p', role: 'reader' });
    record.role = 'admin';
    expect((await store.list())[0]!.role).toBe('reader');
  });
});
