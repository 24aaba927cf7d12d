import { describe, expect, it } from 'vitest';
import { oncePerContext, type CheckContext } from '../../../src/checks/check.js';

describe('oncePerContext', () => {
  it('selects once per context, and again for another context', () => {
    let calls = 0;
    const select = oncePerContext((context) => ({ calls: ++calls, target: context.target }));
    const first = { target: { image: 'a' } } as unknown as CheckContext;
    const second = { target: { image: 'b' } } as unknown as CheckContext;
    const selected = select(first);
    expect(select(first)).toBe(selected);
    expect(calls).toBe(1);
    expect(select(second)).toEqual({ calls: 2, target: { image: 'b' } });
  });

  it('remembers a selection that is undefined', () => {
    let calls = 0;
    const select = oncePerContext(() => {
      calls++;
      return undefined;
    });
    const context = {} as CheckContext;
    select(context);
    select(context);
    expect(calls).toBe(1);
  });
});
