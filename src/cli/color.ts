/**
 * Colour level for a stream: NO_COLOR (any non-empty value) turns colour off, FORCE_COLOR turns it on
 * (0 off, 1–3 the level), otherwise colour only on a TTY whose TERM is not `dumb` (a terminal that declares it
 * cannot draw escape sequences, e.g. Emacs shell buffers). See no-color.org and chalk's FORCE_COLOR.
 */
export function colorLevel(env: NodeJS.ProcessEnv, isTTY: boolean | undefined): 0 | 1 | 2 | 3 {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return 0;
  const forced = env.FORCE_COLOR;
  if (forced !== undefined) {
    if (forced === '0' || forced === 'false') return 0;
    if (forced === '2' || forced === '3') return Number(forced) as 2 | 3;
    return 1;
  }
  if (env.TERM === 'dumb') return 0;
  return isTTY ? 1 : 0;
}
