/**
 * Finds the `rel="next"` target in an RFC 8288 (RFC 5988) `Link` header, as used by distribution for tag and
 * referrer pagination: `</v2/acme/app/tags/list?n=1000&last=v1>; rel="next"`. Relative targets resolve against
 * the URL of the response that carried the header.
 *
 * @returns the absolute next URL, or undefined when there is no next page or the header is malformed.
 */
export function parseNextLink(header: string | null, base: URL): URL | undefined {
  if (header === null) return undefined;
  for (const match of header.matchAll(/<([^>]*)>((?:\s*;\s*[^;,]+)*)/g)) {
    const target = match[1];
    const params = match[2] ?? '';
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))/i.exec(params);
    const relations = (rel?.[1] ?? rel?.[2] ?? '').toLowerCase().split(/\s+/);
    if (target === undefined || !relations.includes('next')) continue;
    try {
      return new URL(target, base);
    } catch {
      return undefined;
    }
  }
  return undefined;
}
