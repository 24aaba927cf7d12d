// Preload used by `npm run bench` only when /usr/bin/time is missing: on exit, writes this process's peak RSS
// (process.resourceUsage().maxRSS, kilobytes, the kernel's ru_maxrss) and its user and system CPU time in seconds,
// as GNU time's `-f '%M %U %S'` does, to $VERIFY_RELEASE_BENCH_RSS_FILE.
const { writeFileSync } = require('node:fs');

process.on('exit', () => {
  const file = process.env.VERIFY_RELEASE_BENCH_RSS_FILE;
  const usage = process.resourceUsage();
  if (file) writeFileSync(file, `${usage.maxRSS} ${usage.userCPUTime / 1e6} ${usage.systemCPUTime / 1e6}`);
});
