import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { MAX_POLICY_BYTES, readPolicyFile } from '../../../src/policy/source.js';
import { thrown } from '../../support/expect-error.js';

// Policy files are read synchronously before any network work (src/policy/source.ts); what is not a small regular
// UTF-8 file is a one-line CONFIG error, and nothing is ever opened that could block.
describe('readPolicyFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'verify-release-policy-source-'));

  it('reads a policy as text, named as asked', () => {
    writeFileSync(join(dir, 'p.cue'), 'predicateType: "x"');
    expect(readPolicyFile(join(dir, 'p.cue'), 'bundled:p.cue')).toEqual({
      name: 'bundled:p.cue',
      source: 'predicateType: "x"',
    });
  });

  it('refuses a FIFO without opening it (opening one would wait for a writer)', () => {
    const fifo = join(dir, 'fifo.cue');
    execFileSync('mkfifo', [fifo]);
    const error = thrown(() => readPolicyFile(fifo), UsageError);
    expect(error).toMatchObject({ code: 'CONFIG', message: `policy ${fifo}: expected a regular file` });
  });

  it('refuses a directory, a missing file, a file above 1 MiB and invalid UTF-8, each in one line', () => {
    writeFileSync(join(dir, 'big.cue'), 'x'.repeat(MAX_POLICY_BYTES + 1));
    writeFileSync(join(dir, 'latin1.cue'), Buffer.from([0x61, 0xe9, 0x62]));
    const messages = [dir, join(dir, 'absent.cue'), join(dir, 'big.cue'), join(dir, 'latin1.cue')].map(
      (path) => thrown(() => readPolicyFile(path), UsageError).message,
    );
    expect(messages).toEqual([
      `policy ${dir}: expected a regular file`,
      expect.stringMatching(/^cannot read policy .*absent\.cue: .*ENOENT/),
      `policy ${join(dir, 'big.cue')}: expected at most 1048576 bytes (1 MiB), got 1048577`,
      `policy ${join(dir, 'latin1.cue')}: expected a UTF-8 text file, got invalid UTF-8`,
    ]);
  });
});
