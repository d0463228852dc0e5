/**
 * Preloaded with `node --import ./bench/reportPeakRss.ts …` so that a benchmarked command reports its own
 * peak resident set (worker threads included: they share the process) when it exits.
 */
process.on('exit', () => {
  process.stderr.write(`\nEOFN_PEAK_RSS_MB=${Math.round(process.resourceUsage().maxRSS / 1024)}\n`);
});
