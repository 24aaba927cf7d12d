import type { DerSchema } from './der.js';

/**
 * The DER shapes verify-release checks before the library reads them: the X.509 certificate (RFC 5280 §4.1) and the
 * RFC 3161 TimeStampResp that a bundle's `signedTimestamp` holds (RFC 3161 §2.4.2, with the CMS SignedData of RFC 5652
 * §5 and the TSTInfo of RFC 3161 §2.4.2 inside it). Down to the elements the library navigates by position.
 */

const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** `[n]` context-specific: constructed (EXPLICIT, or IMPLICIT over a constructed type) or primitive. */
const context = (n: number): number => 0xa0 | n;
const contextPrimitive = (n: number): number => 0x80 | n;

const element = (name: string, tag: number, rest: Partial<DerSchema> = {}): DerSchema => ({
  name,
  tags: [tag],
  ...rest,
});
const optional = (schema: DerSchema): DerSchema => ({ ...schema, optional: true });
const sequence = (name: string, fields: DerSchema[]): DerSchema => element(name, TAG.SEQUENCE, { fields });

/** Every identifier octet of the low tag number form: where ASN.1 says ANY (one list, shared by every such place). */
const ANY_TAG: readonly number[] = Array.from({ length: 256 }, (_, i) => i).filter((tag) => (tag & 0x1f) !== 0x1f);

/** AlgorithmIdentifier: the OID and optional parameters of any type. */
const algorithm = (name: string): DerSchema =>
  sequence(name, [element('algorithm', TAG.OID), optional({ name: 'parameters', tags: ANY_TAG })]);

/** Name ::= SEQUENCE OF SET OF AttributeTypeAndValue { type OID, value ANY }. */
const name = (field: string): DerSchema =>
  element(field, TAG.SEQUENCE, {
    each: element('rdn', TAG.SET, {
      each: sequence('attribute', [element('type', TAG.OID), { name: 'value', tags: ANY_TAG }]),
    }),
  });

const time = (field: string): DerSchema => ({ name: field, tags: [TAG.UTC_TIME, TAG.GENERALIZED_TIME] });

/** RFC 5280 §4.1 Certificate. */
export const CERTIFICATE_SCHEMA: DerSchema = sequence('Certificate', [
  sequence('tbsCertificate', [
    optional(element('version', context(0), { fields: [element('version', TAG.INTEGER)] })),
    element('serialNumber', TAG.INTEGER),
    algorithm('signature'),
    name('issuer'),
    sequence('validity', [time('notBefore'), time('notAfter')]),
    name('subject'),
    sequence('subjectPublicKeyInfo', [algorithm('algorithm'), element('subjectPublicKey', TAG.BIT_STRING)]),
    optional(element('issuerUniqueID', contextPrimitive(1))),
    optional(element('subjectUniqueID', contextPrimitive(2))),
    optional(
      element('extensions', context(3), {
        fields: [
          element('extensions', TAG.SEQUENCE, {
            each: sequence('extension', [
              element('extnID', TAG.OID),
              optional(element('critical', TAG.BOOLEAN)),
              element('extnValue', TAG.OCTET_STRING),
            ]),
          }),
        ],
      }),
    ),
  ]),
  algorithm('signatureAlgorithm'),
  element('signatureValue', TAG.BIT_STRING),
]);

/** RFC 3161 §2.4.2 TSTInfo, the signed content of a timestamp token. */
const TST_INFO: DerSchema = sequence('TSTInfo', [
  element('version', TAG.INTEGER),
  element('policy', TAG.OID),
  sequence('messageImprint', [algorithm('hashAlgorithm'), element('hashedMessage', TAG.OCTET_STRING)]),
  element('serialNumber', TAG.INTEGER),
  element('genTime', TAG.GENERALIZED_TIME),
  optional(element('accuracy', TAG.SEQUENCE)),
  optional(element('ordering', TAG.BOOLEAN)),
  optional(element('nonce', TAG.INTEGER)),
  optional(element('tsa', context(0))),
  optional(element('extensions', context(1))),
]);

/** RFC 5652 §5.3 SignerInfo. */
const SIGNER_INFO: DerSchema = sequence('SignerInfo', [
  element('version', TAG.INTEGER),
  { name: 'sid', tags: [TAG.SEQUENCE, contextPrimitive(0)] },
  algorithm('digestAlgorithm'),
  optional(
    element('signedAttrs', context(0), {
      each: sequence('attribute', [element('attrType', TAG.OID), element('attrValues', TAG.SET)]),
    }),
  ),
  algorithm('signatureAlgorithm'),
  element('signature', TAG.OCTET_STRING),
  optional(element('unsignedAttrs', context(1))),
]);

/** RFC 5652 §5.1 SignedData with a TSTInfo as its encapsulated content. */
const SIGNED_DATA: DerSchema = sequence('SignedData', [
  element('version', TAG.INTEGER),
  element('digestAlgorithms', TAG.SET, { each: algorithm('digestAlgorithm') }),
  sequence('encapContentInfo', [
    element('eContentType', TAG.OID),
    element('eContent', context(0), {
      fields: [element('eContent', TAG.OCTET_STRING, { encapsulates: TST_INFO })],
    }),
  ]),
  optional(element('certificates', context(0))),
  optional(element('crls', context(1))),
  element('signerInfos', TAG.SET, { each: SIGNER_INFO }),
]);

/** RFC 3161 §2.4.2 TimeStampResp: status and the token (a CMS ContentInfo), which must be present. */
export const TIMESTAMP_RESPONSE_SCHEMA: DerSchema = sequence('TimeStampResp', [
  sequence('status', [
    element('status', TAG.INTEGER),
    optional(element('statusString', TAG.SEQUENCE)),
    optional(element('failInfo', TAG.BIT_STRING)),
  ]),
  sequence('timeStampToken', [
    element('contentType', TAG.OID),
    element('content', context(0), { fields: [SIGNED_DATA] }),
  ]),
]);

/** A Fulcio extension value from `.1.8` on: one DER UTF8String. */
export const UTF8_STRING_SCHEMA: DerSchema = element('UTF8String', TAG.UTF8_STRING);
