import { VerificationError as LibraryVerificationError } from '@sigstore/verify';
import { describe, expect, it } from 'vitest';
import { VerificationError } from '../../../src/errors.js';
import { fromLibraryError, libraryErrorCode } from '../../../src/sigstore/library-error.js';

describe('the one mapping of @sigstore/verify errors', () => {
  it.each([
    ['CERTIFICATE_ERROR', 'certificate chain invalid', 'CERTIFICATE_ERROR'],
    ['CERTIFICATE_ERROR', 'SCT verification failed', 'SCT_ERROR'],
    ['PUBLIC_KEY_ERROR', 'key is not valid', 'SIGNATURE_ERROR'],
    ['SIGNATURE_ERROR', 'signature verification failed', 'SIGNATURE_ERROR'],
    ['TIMESTAMP_ERROR', 'timestamp', 'TIMESTAMP_ERROR'],
    ['TLOG_BODY_ERROR', 'body', 'TLOG_ERROR'],
    ['TLOG_INCLUSION_PROOF_ERROR', 'proof', 'TLOG_ERROR'],
    ['TLOG_INCLUSION_PROMISE_ERROR', 'promise', 'TLOG_ERROR'],
    ['TLOG_MISSING_INCLUSION_ERROR', 'missing', 'TLOG_ERROR'],
    ['NOT_IMPLEMENTED_ERROR', 'nope', 'BUNDLE_INVALID'],
    ['SOMETHING_NEW', 'later versions', 'BUNDLE_INVALID'],
    ['toString', 'prototype keys are not codes', 'BUNDLE_INVALID'],
  ])('%s (%s) → %s', (libraryCode, message, code) => {
    expect(libraryErrorCode(libraryCode, message)).toBe(code);
  });

  it('keeps the library code and message, and the original as cause', () => {
    const original = new LibraryVerificationError({ code: 'PUBLIC_KEY_ERROR', message: 'no key found for hint' });
    const error = fromLibraryError(original);
    expect(error).toBeInstanceOf(VerificationError);
    expect(error).toMatchObject({
      code: 'SIGNATURE_ERROR',
      message: 'signature: no key found for hint (PUBLIC_KEY_ERROR)',
      cause: original,
    });
  });

  it('fails closed on anything else the library throws', () => {
    expect(fromLibraryError(new TypeError('x is undefined'))).toMatchObject({
      code: 'BUNDLE_INVALID',
      message: 'bundle: expected a verifiable bundle, got x is undefined',
    });
  });
});
