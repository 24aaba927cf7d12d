import { describe, expect, it } from 'vitest';
import { verifyStrictDer } from '../../../../src/sigstore/bundle/der.js';
import { conformanceBundle } from './fixtures.js';

const check = (hex: string) => () => verifyStrictDer(Buffer.from(hex, 'hex'), 'test', 'BUNDLE_INVALID');

describe('verifyStrictDer', () => {
  it('accepts a real certificate', () => {
    const der = Buffer.from(conformanceBundle('happy-path-v0.3').verificationMaterial.certificate.rawBytes, 'base64');
    expect(() => verifyStrictDer(der, 'cert', 'CERTIFICATE_ERROR')).not.toThrow();
  });

  it('accepts nested elements with short and long lengths', () => {
    expect(check('3003020101')).not.toThrow();
    expect(check(`0481${'80'}${'00'.repeat(128)}`)).not.toThrow();
  });

  it.each([
    ['trailing bytes', '020101ff', /1 trailing bytes/],
    ['indefinite length', '3080020101' + '0000', /indefinite length/],
    ['long form for a short length', '02810101', /long-form length 1/],
    ['a leading zero length byte', '0482000101', /non-minimal length/],
    ['a length past its container', '3003020201', /past the end/],
    ['a truncated element', '30', /truncated/],
    ['an empty input', '', /truncated/],
  ])('rejects %s', (_name, hex, message) => {
    expect(check(hex)).toThrow(message);
  });
});
