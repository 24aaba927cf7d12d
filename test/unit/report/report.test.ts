import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import {
  buildReport,
  reportExitCode,
  SIGNATURE_OMITTED_NOTICE,
  withOutputFailure,
  type ReportTarget,
} from '../../../src/report/index.js';
import { reportSchema } from '../../../src/report/schema.js';
import { renderText } from '../../../src/report/render/text.js';
import { renderJson } from '../../../src/report/render/json.js';
import { colorLevel } from '../../../src/cli/color.js';
import type { CheckResult, CheckStatus } from '../../../src/model/check-result.js';

const target: ReportTarget = {
  image: 'ghcr.io/natrontech/gcp-mysql-backup',
  version: 'v1.1.2',
  tag: 'v1.1.2',
  digest: `sha256:${'a'.repeat(64)}`,
  mediaType: 'application/vnd.oci.image.index.v1+json',
  platforms: ['linux/amd64'],
};

const check = (id: CheckResult['id'], status: CheckStatus): CheckResult => ({
  id,
  title: id,
  status,
  reason: `${id} ${status}`,
  evidence: {},
});

describe('#buildReport / #reportExitCode', () => {
  it.each([
    [['pass', 'pass'], true, 0],
    [['pass', 'fail'], false, 1],
    [['pass', 'skip'], false, 1],
    [['pass', 'error'], false, 3],
    [['fail', 'error'], false, 1],
    [[], false, 1],
  ] as const)('statuses %j → verified %s, exit %i', (statuses, verified, code) => {
    const report = buildReport(
      target,
      statuses.map((status, i) => check(i === 0 ? 'resolve' : 'signature', status)),
    );
    expect(report.verified).toBe(verified);
    expect(reportExitCode(report)).toBe(code);
  });

  it('lists the checks a selection left out, and says when the image signature was not checked', () => {
    const partial = buildReport(target, [check('resolve', 'pass')], ['other notice']);
    expect(partial.verified).toBe(true);
    expect(partial.checksOmitted).toEqual(['signature', 'provenance', 'provenance-policy', 'sbom', 'sbom-policy']);
    expect(partial.notices).toEqual([SIGNATURE_OMITTED_NOTICE, 'other notice']);
    const text = renderText(partial, { colorLevel: 0 });
    expect(text).toContain(`note: ${SIGNATURE_OMITTED_NOTICE}`);
    expect(text.trimEnd().split('\n').at(-1)).toBe(
      'VERIFIED (partial: signature, provenance, provenance-policy, sbom, sbom-policy not run): 1 passed, 0 failed',
    );
  });

  it('leaves a full run as it was: no omitted checks, no notice, the plain verdict', () => {
    const ids = ['resolve', 'signature', 'provenance', 'provenance-policy', 'sbom', 'sbom-policy'] as const;
    const full = buildReport(
      target,
      ids.map((id) => check(id, 'pass')),
    );
    expect(full.checksOmitted).toEqual([]);
    expect(full.notices).toEqual([]);
    expect(renderText(full, { colorLevel: 0 }).trimEnd().split('\n').at(-1)).toBe('VERIFIED: 6 passed, 0 failed');
  });

  it('turns a report whose output could not be written into NOT VERIFIED with the reason', () => {
    const full = buildReport(target, [check('resolve', 'pass'), check('signature', 'pass')]);
    const failed = withOutputFailure(full, '--sbom-out: could not write x: ENOSPC');
    expect(failed.verified).toBe(false);
    expect(failed.notices).toContain('--sbom-out: could not write x: ENOSPC');
    expect(renderText(failed, { colorLevel: 0 })).toMatch(/\nNOT VERIFIED \(partial: [^)]*\): 2 passed, 0 failed\n$/);
  });

  it('builds exactly the published schema, nothing beyond it (validated here, not on every run)', () => {
    const extra = { ...check('signature', 'pass'), logs: ['not in the schema'] };
    const report = buildReport({ ...target, extra: 1 } as ReportTarget, [check('resolve', 'pass'), extra], ['n']);
    expect(z.strictObject(reportSchema.shape).parse(report)).toEqual(report);
    expect(report.checks[1]).toEqual(check('signature', 'pass'));
    expect(report.target).toEqual(target);
    const failed = withOutputFailure(report, 'x');
    expect(z.strictObject(reportSchema.shape).parse(failed)).toEqual(failed);
  });
});

describe('#renderText', () => {
  const report = buildReport(
    target,
    [check('resolve', 'pass'), check('signature', 'fail')],
    ['using the embedded trusted root'],
  );

  it('prints one line per check, the notices and a summary, without colour at level 0', () => {
    const text = renderText(report, { colorLevel: 0 });
    expect(text).toContain('✔ resolve    resolve pass');
    expect(text).toContain('✖ signature  signature fail');
    expect(text).toContain('note: using the embedded trusted root');
    expect(text.trimEnd().split('\n').at(-1)).toBe(
      'NOT VERIFIED (partial: provenance, provenance-policy, sbom, sbom-policy not run): 1 passed, 1 failed',
    );
    expect(text).not.toMatch(/\u001b\[/);
  });

  // Platforms come from the registry's index and reasons quote certificates and registries: a newline or an escape
  // sequence in them must not let a hostile source draw a fake "VERIFIED" line on the user's terminal.
  it('shows control characters from the data escaped, never raw', () => {
    const forged = '\n✔ Image signature    verified\n\nVERIFIED: 6 passed, 0 failed\u001b[2K';
    const hostile = buildReport({ ...target, platforms: [`linux/${forged}`] }, [
      { ...check('signature', 'fail'), reason: `bad ${forged}` },
    ]);
    const text = renderText(hostile, { colorLevel: 0 });
    expect(text.trimEnd().split('\n')).toHaveLength(7);
    expect(text).not.toContain('\u001b');
    expect(text).toContain('linux/\\n✔ Image signature    verified\\n\\nVERIFIED: 6 passed, 0 failed\\u001b[2K');
    expect(text.trimEnd().split('\n').at(-1)).toBe(
      'NOT VERIFIED (partial: resolve, provenance, provenance-policy, sbom, sbom-policy not run): 0 passed, 1 failed',
    );
  });

  it('colours marks when asked', () => {
    expect(renderText(report, { colorLevel: 1 })).toMatch(/\u001b\[32m✔/);
  });

  it('renders JSON that round-trips', () => {
    expect(JSON.parse(renderJson(report))).toEqual(report);
  });
});

describe('#colorLevel', () => {
  it.each([
    [{}, true, 1],
    [{}, false, 0],
    [{ NO_COLOR: '1' }, true, 0],
    [{ NO_COLOR: '' }, true, 1],
    [{ FORCE_COLOR: '1' }, false, 1],
    [{ FORCE_COLOR: '3' }, false, 3],
    [{ FORCE_COLOR: '0' }, true, 0],
    [{ NO_COLOR: '1', FORCE_COLOR: '1' }, true, 0],
    [{ TERM: 'dumb' }, true, 0],
    [{ TERM: 'xterm-256color' }, true, 1],
    [{ TERM: 'dumb', FORCE_COLOR: '1' }, false, 1],
  ] as const)('env %j, tty %s → %i', (env, tty, level) => {
    expect(colorLevel(env, tty)).toBe(level);
  });
});
