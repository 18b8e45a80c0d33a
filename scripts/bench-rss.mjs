// Preloaded (node --import) by scripts/bench.mjs where GNU time is missing: writes the process's peak RSS
// in KiB - getrusage's ru_maxrss, what `time -f %M` reports - to SOEMAIL_BENCH_RSS_FILE as it exits.
import {writeFileSync} from 'node:fs'

const file = process.env.SOEMAIL_BENCH_RSS_FILE
if (file) process.on('exit', () => writeFileSync(file, `${process.resourceUsage().maxRSS}\n`))
