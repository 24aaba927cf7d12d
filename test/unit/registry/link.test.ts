import { describe, expect, it } from 'vitest';
import { parseNextLink } from '../../../src/registry/link.js';

const BASE = new URL('http://127.0.0.1:5000/v2/acme/app/tags/list?n=1000');

describe('parseNextLink', () => {
  it('resolves a relative next link against the response URL', () => {
    expect(parseNextLink('</v2/acme/app/tags/list?n=1000&last=v1.2.0>; rel="next"', BASE)?.href).toBe(
      'http://127.0.0.1:5000/v2/acme/app/tags/list?n=1000&last=v1.2.0',
    );
  });

  it('accepts an absolute target, an unquoted rel and several relations', () => {
    expect(parseNextLink('<https://r.example/v2/x/tags/list?last=b>; rel=next', BASE)?.href).toBe(
      'https://r.example/v2/x/tags/list?last=b',
    );
    expect(parseNextLink('<?last=c>; title="p"; rel="prefetch next"', BASE)?.href).toBe(
      'http://127.0.0.1:5000/v2/acme/app/tags/list?last=c',
    );
  });

  it('picks the next link among several link values', () => {
    expect(parseNextLink('</first>; rel="first", </second>; rel="next"', BASE)?.pathname).toBe('/second');
  });

  it('returns undefined without a next relation or header', () => {
    expect(parseNextLink(null, BASE)).toBeUndefined();
    expect(parseNextLink('</prev>; rel="prev"', BASE)).toBeUndefined();
    expect(parseNextLink('garbage', BASE)).toBeUndefined();
    expect(parseNextLink('</x>', BASE)).toBeUndefined();
  });
});
