import { describe, expect, it } from 'vitest';
import { thrownCode } from '../../../test/support/thrown-code.js';
import { MemoryLocks, ResidentLock } from './memory-locks.js';

describe('ResidentLock', () => {
  it('locks after five wrong issue dates in a row; a right answer resets the count', () => {
    const lock = new ResidentLock();
    for (let i = 0; i < 4; i++) lock.record('card', ['issueDate']);
    lock.record('card', []);
    for (let i = 0; i < 4; i++) lock.record('card', ['issueDate']);
    expect(thrownCode(() => lock.assertOpen('card'))).toBe(0);
    lock.record('card', ['issueDate']);
    expect(thrownCode(() => lock.assertOpen('card'))).toBe(4000123);
    expect(thrownCode(() => lock.assertOpen('other'))).toBe(0);
  });
});

describe('MemoryLocks', () => {
  it("keeps each appKey's cards apart, and a reset of one appKey leaves the others locked", async () => {
    const locks = new MemoryLocks();
    const app = (appKey: string) => ({ appKey, generation: '', now: 0 });
    for (let i = 0; i < 5; i++) for (const appKey of ['a', 'b']) await locks.record(app(appKey), '9001011234567', ['issueDate']);
    await expect(locks.assertOpen(app('a'), '9001011234567')).rejects.toMatchObject({ code: 4000123 });
    await expect(locks.assertOpen(app('c'), '9001011234567')).resolves.toBeUndefined();
    locks.reset('a');
    await expect(locks.assertOpen(app('a'), '9001011234567')).resolves.toBeUndefined();
    await expect(locks.assertOpen(app('b'), '9001011234567')).rejects.toMatchObject({ code: 4000123 });
  });
});
