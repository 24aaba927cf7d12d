// The GitHub Action's view of one CLI run: its JSON report (stdout of `verify-release --json`) as a Markdown job
// summary and the step's outputs. Fails closed: anything but a valid verified report is "not verified".

const DIGEST = /^sha256:[a-f0-9]{64}$/;

/**
 * @param {string} stdout what `verify-release … --json` printed
 * @param {{ renderMarkdown: (report: unknown) => string, escapeMarkdown: (text: string) => string,
 *   reportSchema: { safeParse: (value: unknown) => { success: boolean, data?: any } } }} renderer
 *   the CLI's Markdown renderer, its escaping and the report schema (dist/ in the action, src/ in tests)
 * @returns {{ markdown: string, verified: boolean, digest: string }}
 */
export function summarize(stdout, { renderMarkdown, escapeMarkdown, reportSchema }) {
  let parsed;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    return notVerified('verify-release printed no JSON report', escapeMarkdown);
  }
  const report = reportSchema.safeParse(parsed);
  if (!report.success) {
    // A run that stopped before its report prints {"verified": false, "error": {"code", "message"}}.
    const message = typeof parsed?.error?.message === 'string' ? parsed.error.message : 'no valid report';
    return notVerified(`verify-release stopped: ${message}`, escapeMarkdown);
  }
  const digest = typeof report.data.target.digest === 'string' && DIGEST.test(report.data.target.digest);
  return {
    markdown: renderMarkdown(report.data),
    verified: report.data.verified === true,
    digest: digest ? report.data.target.digest : '',
  };
}

function notVerified(reason, escapeMarkdown) {
  // The reason may quote the network: escaped like every string of a report.
  return { markdown: `### ❌ NOT VERIFIED\n\n${escapeMarkdown(reason)}\n`, verified: false, digest: '' };
}
