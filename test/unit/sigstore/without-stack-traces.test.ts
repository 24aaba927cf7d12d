import { X509Certificate } from '@sigstore/core';
import { describe, expect, it } from 'vitest';
import { withoutStackTraces } from '../../../src/sigstore/without-stack-traces.js';

describe('withoutStackTraces', () => {
  it('turns stack traces off while it runs and restores the limit after a result or an error', () => {
    const before = Error.stackTraceLimit;
    expect(withoutStackTraces(() => Error.stackTraceLimit)).toBe(0);
    expect(Error.stackTraceLimit).toBe(before);
    expect(() =>
      withoutStackTraces(() => {
        throw new Error('not a certificate');
      }),
    ).toThrow('not a certificate');
    expect(Error.stackTraceLimit).toBe(before);
  });

  it("gives the library's own parse error for bytes that are not a certificate", () => {
    const garbage = Buffer.from([0x30, 0x03, 0x02, 0x01]);
    const direct = (): unknown => X509Certificate.parse(garbage);
    expect(() => withoutStackTraces(direct)).toThrow(
      (() => {
        try {
          direct();
        } catch (error) {
          return (error as Error).message;
        }
        return 'parsed';
      })(),
    );
  });
});
