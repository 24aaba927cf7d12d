/** One challenge from a `WWW-Authenticate` header (RFC 7235 §4.1). */
export interface Challenge {
  /** Lowercased scheme, e.g. `bearer` or `basic`. */
  scheme: string;
  /** Lowercased parameter names → values, quotes and escapes removed. */
  params: Record<string, string>;
}

/**
 * Parses a `WWW-Authenticate` header into its challenges, e.g.
 * `Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:a/b:pull"`.
 * Several challenges may share one header (`Basic realm="r", Bearer realm="t"`); malformed parts are skipped, never guessed.
 */
export function parseChallenges(header: string): Challenge[] {
  const challenges: Challenge[] = [];
  const scanner = new Scanner(header);
  let current: Challenge | undefined;
  while (!scanner.done()) {
    scanner.skip(/[\s,]*/y);
    const name = scanner.match(/[!#$%&'*+.^_`|~0-9A-Za-z-]+/y);
    if (name === undefined) {
      // Not a token: skip one character so a stray byte cannot stall the loop.
      scanner.advance();
      continue;
    }
    scanner.skip(/[ \t]*/y);
    if (scanner.peek() === '=' && current !== undefined) {
      scanner.advance();
      scanner.skip(/[ \t]*/y);
      const value = scanner.peek() === '"' ? scanner.quoted() : (scanner.match(/[^\s,]*/y) ?? '');
      current.params[name.toLowerCase()] = value;
    } else {
      // token68 forms (`Negotiate abc==`) carry no params we use; the scheme alone is kept.
      current = { scheme: name.toLowerCase(), params: {} };
      challenges.push(current);
    }
  }
  return challenges;
}

class Scanner {
  private position = 0;

  constructor(private readonly text: string) {}

  done(): boolean {
    return this.position >= this.text.length;
  }

  peek(): string | undefined {
    return this.text[this.position];
  }

  advance(): void {
    this.position++;
  }

  skip(pattern: RegExp): void {
    this.match(pattern);
  }

  match(pattern: RegExp): string | undefined {
    pattern.lastIndex = this.position;
    const found = pattern.exec(this.text);
    if (found === null || found[0] === '') return undefined;
    this.position += found[0].length;
    return found[0];
  }

  /** Reads a quoted-string starting at the opening quote; `\x` yields `x`. An unterminated string ends at the end. */
  quoted(): string {
    let value = '';
    this.position++;
    while (!this.done()) {
      const char = this.text[this.position++];
      if (char === '"') break;
      if (char === '\\' && !this.done()) value += this.text[this.position++];
      else value += char;
    }
    return value;
  }
}
