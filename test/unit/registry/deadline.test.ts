import { describe, expect, it } from 'vitest';
import { startDeadline } from '../../../src/registry/deadline.js';

describe('startDeadline', () => {
  it('counts from when the run started, not from when the first request is made', () => {
    const deadline = startDeadline(3_000, () => 10_000, 8_500);
    expect(deadline.expiresAt).toBe(11_500);
    deadline.stop();
  });

  it('has already passed when the work before the first request took longer than the timeout', async () => {
    const deadline = startDeadline(3_000, () => 10_000, 6_000);
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(deadline.signal.aborted).toBe(true);
    expect(deadline.signal.reason).toBe(deadline.error);
    expect(deadline.error.message).toBe('expected the run to finish within 3 s (--timeout), got past that deadline');
  });
});
