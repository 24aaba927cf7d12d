import { describe, expect, it } from 'vitest';
import { type DerSchema, verifyStrictDer } from '../../../../src/sigstore/bundle/der.js';
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

describe('verifyStrictDer with a schema', () => {
  const schema: DerSchema = {
    name: 'Outer',
    tags: [0x30],
    fields: [
      { name: 'version', tags: [0x02], optional: true },
      { name: 'set', tags: [0x31], each: { name: 'item', tags: [0x02] } },
      { name: 'wrapped', tags: [0x04], encapsulates: { name: 'Inner', tags: [0x30] } },
    ],
  };
  const run = (hex: string) => () => verifyStrictDer(Buffer.from(hex, 'hex'), 'test', 'TIMESTAMP_ERROR', schema);

  it('accepts the expected tags, with or without the optional field', () => {
    expect(run('300c' + '020101' + '3103020102' + '04023000')).not.toThrow();
    expect(run('3009' + '3103020102' + '04023000')).not.toThrow();
  });

  it.each([
    [
      'a SET for the outer SEQUENCE',
      '310c' + '020101' + '3103020102' + '04023000',
      /tag 0x31 at byte 0 where Outer \(0x30\)/,
    ],
    ['a SEQUENCE for a SET', '300c' + '020101' + '3003020102' + '04023000', /where Outer\.set \(0x31\) belongs/],
    [
      'a wrong element in a SET OF',
      '300c' + '020101' + '3103040102' + '04023000',
      /where Outer\.set\[0\] \(0x02\) belongs/,
    ],
    [
      'a wrong tag inside an OCTET STRING',
      '300c' + '020101' + '3103020102' + '04023100',
      /where Outer\.wrapped\.Inner \(0x30\)/,
    ],
    ['trailing bytes inside an OCTET STRING', '300d' + '020101' + '3103020102' + '0403300000', /1 trailing bytes/],
    ['a missing required field', '3005' + '3103020102', /the end of Outer where Outer\.wrapped/],
    [
      'an element after the last field',
      '300e' + '020101' + '3103020102' + '04023000' + '0500',
      /unexpected element \(tag 0x05\)/,
    ],
  ])('rejects %s', (_name, hex, message) => {
    expect(run(hex)).toThrow(message);
  });
});
