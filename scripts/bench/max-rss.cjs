// Preload used by `npm run bench` only when /usr/bin/time is missing: on exit, writes this process's peak RSS
// (process.resourceUsage().maxRSS, kilobytes, the kernel's ru_maxrss) to $VERIFY_RELEASE_BENCH_RSS_FILE.
const { writeFileSync } = require('node:fs');

process.on('exit', () => {
  const file = process.env.VERIFY_RELEASE_BENCH_RSS_FILE;
  if (file) writeFileSync(file, String(process.resourceUsage().maxRSS));
});
