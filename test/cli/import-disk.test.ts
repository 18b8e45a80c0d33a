import {execFileSync} from 'node:child_process'
import {cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {runCli} from '../helpers/cli.js'
import {createRow, readResults, writeCsv} from '../helpers/import-csv.js'
import {freshTicket, useSandbox} from '../helpers/sandbox.js'

/** A small tmpfs of our own: a real "disk full" (ENOSPC) and a real read-only file system (EROFS). */
function mountTmpfs(options: string): string | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'soemail-fs-'))
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], {stdio: 'ignore'})
    mounted.push(dir)
    return dir
  } catch {
    return undefined
  }
}

const mounted: string[] = []
afterAll(() => {
  for (const dir of mounted) execFileSync('umount', ['-l', dir], {stdio: 'ignore'})
})

const canMount = (() => {
  const dir = mountTmpfs('size=16k')
  return dir !== undefined
})()
if (!canMount) console.warn('skipping disk tests: mounting a tmpfs needs root (CI runs as root)')

const sandbox = useSandbox({schemaCheck: false})

describe.skipIf(!canMount)('results and journal on a full or read-only disk', () => {
  it('a read-only results directory stops the import before anything is sent', async () => {
    const ro = mountTmpfs('size=64k,ro')!
    const dir = mkdtempSync(join(tmpdir(), 'soemail-ro-'))
    const file = writeCsv(join(dir, 'in.csv'), [createRow(800_000), createRow(800_001)])
    const before = sandbox.current.stats().acted
    const res = await runCli(['account', 'import', file, '--results', join(ro, 'r.csv')], {env: {SOEMAIL_URL: sandbox.current.url, SOEMAIL_TICKET: await freshTicket(sandbox.current.url)}})
    expect(res.code).toBe(1)
    expect(res.stderr).toMatch(/cannot (open|write) .*r\.csv.*EROFS/)
    expect(res.stderr).toMatch(/--results/)
    expect(sandbox.current.stats().acted).toBe(before)
  })

  it('a disk that fills up mid-run stops sending, says so, and a resume elsewhere finishes without duplicates', async () => {
    const full = mountTmpfs('size=40k')!
    const dir = mkdtempSync(join(tmpdir(), 'soemail-full-'))
    const n = 1500
    const rows = Array.from({length: n}, (_, i) => createRow(810_000 + i))
    const file = writeCsv(join(dir, 'in.csv'), rows)
    const env = {SOEMAIL_URL: sandbox.current.url, SOEMAIL_TICKET: await freshTicket(sandbox.current.url)}
    const res = await runCli(['account', 'import', file, '--results', join(full, 'r.csv'), '--concurrency', '4'], {env})
    expect(res.code).toBe(1)
    expect(res.stderr).toMatch(/ENOSPC; stopping before more rows are sent/)
    expect(res.stderr).toMatch(/Free disk space/)
    const createdSoFar = sandbox.current.accounts().filter((a) => a.emailAddress?.startsWith('user81')).length
    expect(createdSoFar).toBeGreaterThan(0)
    expect(createdSoFar).toBeLessThan(n)

    // Move the run to a disk with room, as the admin would, and resume it there.
    const moved = join(dir, 'moved')
    mkdirSync(moved)
    for (const name of readdirSync(full)) cpSync(join(full, name), join(moved, name))
    const resumed = await runCli(['account', 'import', file, '--results', join(moved, 'r.csv'), '--resume', '--concurrency', '4'], {env, timeoutMs: 60_000})
    expect([0, 6]).toContain(resumed.code)
    const results = readResults(readFileSync(join(moved, 'r.csv'), 'utf8'))
    expect(results).toHaveLength(n)
    const counts = new Map<string, number>()
    for (const a of sandbox.current.accounts()) if (a.emailAddress?.startsWith('user81')) counts.set(a.emailAddress, (counts.get(a.emailAddress) ?? 0) + 1)
    for (const [email, c] of counts) expect(c, email).toBe(1)
    results.forEach((r, i) => {
      if (r.status !== 'ok') expect(r.status, `line ${r.line}`).toBe('unknown')
      if (r.status === 'ok') expect(counts.get(`user${810_000 + i}@example.com`)).toBe(1)
    })
    expect(existsSync(join(moved, 'r.csv.journal'))).toBe(true)
  }, 90_000)
})
