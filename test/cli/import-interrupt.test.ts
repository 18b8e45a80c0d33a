/**
 * After Ctrl-C, the progress line, the summary, --json and the results file count the same rows (one
 * tally, src/bulk/tally.ts): rows not started are "not tried", never done, failed or imported.
 */
import {spawn} from 'node:child_process'
import {mkdtempSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {BIN, cleanEnv} from '../helpers/cli.js'
import {createRow, readResults, untilJournalDone, writeCsv} from '../helpers/import-csv.js'
import {CTRL_C, runInPty} from '../helpers/pty.js'
import {useSandbox} from '../helpers/sandbox.js'

const sandbox = useSandbox({schemaCheck: false})
const env = () => ({SOEMAIL_URL: sandbox.current.url, SOEMAIL_TICKET: sandbox.current.demoTicket, SOEMAIL_PROGRESS_INTERVAL_MS: '40'})
const work = () => mkdtempSync(join(tmpdir(), 'soemail-interrupt-'))

/** The results file's rows counted as the summary counts them. */
function fileCounts(path: string) {
  const rows = readResults(readFileSync(path, 'utf8'))
  const by = (status: string) => rows.filter((r) => r.status === status).length
  return {
    rows: rows.length,
    tried: rows.length - by('skipped'),
    ok: by('ok'),
    created: rows.filter((r) => r.status === 'ok' && r.action === 'create').length,
    updated: rows.filter((r) => r.status === 'ok' && r.action === 'update').length,
    failed: by('failed'),
    unknown: by('unknown'),
    notTried: by('skipped'),
  }
}

describe('Ctrl-C: one set of counts', () => {
  it('on a terminal: the last progress line and the summary match the results file; nothing says all rows were imported', async () => {
    sandbox.current.setFaults({latencyMs: 30})
    try {
      const dir = work()
      const file = writeCsv(join(dir, 'tty.csv'), Array.from({length: 300}, (_, i) => createRow(710_000 + i)))
      // Ctrl-C typed on the terminal once the bar shows some twenty rows done.
      const session = await runInPty(['account', 'import', file, '--concurrency', '4'], [{when: /\/300 · ok [2-9]\d /, type: CTRL_C}], env(), 60_000)
      expect(session.code, session.screen).toBe(130)
      const file_ = fileCounts(`${file}.results.csv`)
      expect(file_.rows).toBe(300)
      expect(file_.notTried).toBeGreaterThan(0)
      expect(file_.tried).toBeGreaterThanOrEqual(20)

      const bars = [...session.screen.matchAll(/(\d+)\/300 · ok (\d+) · failed (\d+) · unknown (\d+)(?: · not tried (\d+))?/g)]
      const last = bars.at(-1)!
      expect({tried: Number(last[1]), ok: Number(last[2]), failed: Number(last[3]), unknown: Number(last[4]), notTried: Number(last[5] ?? 0)}).toEqual({tried: file_.tried, ok: file_.ok, failed: file_.failed, unknown: file_.unknown, notTried: file_.notTried})
      expect(last[0]).not.toMatch(/ETA/)
      expect(session.screen.slice(last.index)).not.toMatch(/ETA/)

      const screen = session.screen.replaceAll('\r', '')
      expect(screen).not.toMatch(/Imported 300 rows/)
      expect(screen).toMatch(new RegExp(`Stopped after ${file_.tried} of 300 rows in \\S+ \\(interrupted\\); ${file_.notTried} not tried`))
      expect(screen).toMatch(new RegExp(`ok\\s+${file_.ok}\\s+\\(${file_.created} created, ${file_.updated} updated`))
      expect(screen).toMatch(new RegExp(`failed\\s+${file_.failed}\\n`))
      expect(screen).toMatch(new RegExp(`unknown\\s+${file_.unknown}\\n`))
      expect(screen).toMatch(new RegExp(`not tried ${file_.notTried}\\b`))
    } finally {
      sandbox.current.setFaults({})
    }
  }, 90_000)

  it('with --json: the error envelope after SIGINT carries the counts of the results file', async () => {
    sandbox.current.setFaults({latencyMs: 30})
    try {
      const dir = work()
      const file = writeCsv(join(dir, 'json.csv'), Array.from({length: 300}, (_, i) => createRow(720_000 + i)))
      const child = spawn(process.execPath, [BIN, 'account', 'import', file, '--concurrency', '4', '--json'], {env: cleanEnv(env()), stdio: ['ignore', 'pipe', 'pipe']})
      let stdout = ''
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
      child.stderr.resume()
      await untilJournalDone(`${file}.results.csv.journal`, 20)
      child.kill('SIGINT')
      expect(await new Promise<number | null>((r) => child.on('close', r))).toBe(130)
      const json = JSON.parse(stdout) as {error: {code: string; message: string; details: {rows: number; tried: number; notTried: number; counts: Record<string, number>; actions: Record<string, number>}}}
      expect(json.error.code).toBe('INTERRUPTED')
      const d = json.error.details
      const file_ = fileCounts(`${file}.results.csv`)
      expect(file_.notTried).toBeGreaterThan(0)
      expect({rows: d.rows, tried: d.tried, ok: d.counts.ok, created: d.actions.create, updated: d.actions.update, failed: d.counts.failed, unknown: d.counts.unknown, notTried: d.notTried}).toEqual(file_)
      expect(d.counts.skipped).toBe(d.notTried)
      expect(json.error.message).toBe(`interrupted after ${file_.tried} of 300 rows; ${file_.notTried} were not tried`)
    } finally {
      sandbox.current.setFaults({})
    }
  }, 90_000)
})
