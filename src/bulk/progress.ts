import type {RowStatus} from './journal.js'
import type {ImportTally} from './tally.js'

export type StatusCounts = Record<RowStatus, number>

export const emptyCounts = (): StatusCounts => ({ok: 0, failed: 0, invalid: 0, skipped: 0, unknown: 0, 'verify-failed': 0})

export interface Progress {
  done(): void
}

/**
 * Progress on stderr: a bar redrawn in place on a terminal, else a plain line every few seconds so
 * logs of a long unattended run show it is alive. It reads the import's tally, the summary's too: rows
 * not started after Ctrl-C are "not tried", never done.
 */
export function createProgress(options: {tally: Pick<ImportTally, 'rows' | 'settled' | 'counts'>; tty: boolean; write: (text: string) => void; intervalMs?: number; now?: () => number; concurrency?: () => number}): Progress {
  const now = options.now ?? Date.now
  const started = now()
  const {counts, rows: total} = options.tally
  const interval = options.intervalMs ?? (options.tty ? 200 : 5000)
  const line = () => {
    const done = options.tally.settled
    const elapsed = (now() - started) / 1000
    const rate = elapsed > 0 ? done / elapsed : 0
    // Once rows are not tried the run is stopping: there is nothing left to estimate.
    const eta = rate > 0 && counts.skipped === 0 ? Math.round((total - done) / rate) : undefined
    const optional = `${counts.invalid > 0 ? ` · invalid ${counts.invalid}` : ''}${counts['verify-failed'] > 0 ? ` · verify-failed ${counts['verify-failed']}` : ''}${counts.skipped > 0 ? ` · not tried ${counts.skipped}` : ''}`
    const stats = `${done}/${total} · ok ${counts.ok} · failed ${counts.failed} · unknown ${counts.unknown}${optional} · ${rate.toFixed(0)} rows/s${options.concurrency ? ` · concurrency ${options.concurrency()}` : ''}${eta === undefined ? '' : ` · ETA ${formatSeconds(eta)}`}`
    if (!options.tty) return `import: ${stats}\n`
    const width = 24
    const filled = total > 0 ? Math.round((done / total) * width) : width
    return `\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${stats}\u001B[K`
  }
  const timer = setInterval(() => options.write(line()), interval)
  timer.unref()
  return {
    done() {
      clearInterval(timer)
      if (options.tty) options.write(`${line()}\n`)
    },
  }
}

export function formatSeconds(s: number): string {
  if (s < 90) return `${Math.round(s)}s`
  if (s < 5400) return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`
  return `${Math.floor(s / 3600)}h${String(Math.round((s % 3600) / 60)).padStart(2, '0')}m`
}

/** Failures grouped by cause: the message with numbers and quoted values folded, most frequent first. */
export class ErrorGroups {
  private readonly groups = new Map<string, {count: number; lines: number[]; example: string}>()

  add(line: number, message: string): void {
    const key = message.replace(/"[^"]*"/g, '"…"').replace(/\d+/g, 'N').slice(0, 160)
    const g = this.groups.get(key) ?? {count: 0, lines: [], example: message}
    g.count++
    if (g.lines.length < 5) g.lines.push(line)
    this.groups.set(key, g)
  }

  top(n = 5): Array<{count: number; lines: number[]; example: string}> {
    return [...this.groups.values()].sort((a, b) => b.count - a.count).slice(0, n)
  }
}
