import {spawn} from 'node:child_process'
import {appendFileSync, existsSync, mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {CliError} from '../../src/errors.js'
import {BIN, cleanEnv} from '../helpers/cli.js'
import {HEADER, reportOf, rowsOf} from '../helpers/csv-input.js'
import {createRow, writeCsv} from '../helpers/import-csv.js'
import {freshTicket, useSandbox} from '../helpers/sandbox.js'

describe('hostile CSV input', () => {
  it('random bytes give a report or a clear CLI error (exit 2 or 3), never a crash', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({maxLength: 2000}), fc.boolean(), async (bytes, withHeader) => {
        const content = withHeader ? Buffer.concat([Buffer.from(`${HEADER}\n`), bytes]) : Buffer.from(bytes)
        try {
          const report = await reportOf(content)
          expect(report.rows).toBeGreaterThanOrEqual(0)
        } catch (error) {
          expect(error).toBeInstanceOf(CliError)
          expect([2, 3]).toContain((error as CliError).exitCode)
          expect((error as Error).message.length).toBeLessThan(2000)
        }
      }),
      {seed: 606, numRuns: 300},
    )
  })

  it('a 1 MB line is one value that is too long, reported with its line and column, not a crash', async () => {
    const long = 'x'.repeat(1024 * 1024)
    const rows = await rowsOf(`${HEADER}\n${createRow(1).replace('imap-pw-1', long)}\n${createRow(2)}\n`)
    expect(rows).toHaveLength(2)
    expect(rows[0]!.problems).toEqual([expect.objectContaining({line: 2, column: 'imap_password', message: expect.stringContaining('at most 256')})])
    expect(rows[1]!.problems).toEqual([])
  })

  it('10,000 columns: the unknown ones are refused in a short message with all of them in the details; ignored, the known ones are read', async () => {
    const extra = Array.from({length: 10_000 - 13}, (_, i) => `extra${i}`)
    const header = [HEADER, ...extra].join(',')
    const row = [createRow(3), ...extra.map(() => 'v')].join(',')
    const error = await reportOf(`${header}\n${row}\n`).then(() => undefined, (e: unknown) => e as CliError)
    expect(error?.exitCode).toBe(3)
    expect(error!.message.length).toBeLessThan(2000)
    expect(error!.message).toContain(`… and ${extra.length - 10} more`)
    expect((error!.details as {unknownColumns: unknown[]}).unknownColumns).toHaveLength(extra.length)
    const report = await reportOf(`${header}\n${row}\n`, {ignore: extra})
    expect(report.ignoredColumns).toHaveLength(extra.length)
    expect(report.valid).toBe(1)
  })
})

describe('a file that changes while it is being read', () => {
  const sandbox = useSandbox({schemaCheck: false})

  it('is refused before anything is sent when it changes during the check', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'soemail-changing-'))
    const n = 200_000
    const file = writeCsv(join(dir, 'growing.csv'), Array.from({length: n}, (_, i) => createRow(900_000 + i)))
    const before = sandbox.current.stats().acted
    const child = spawn(process.execPath, [BIN, 'account', 'import', file], {env: cleanEnv({SOEMAIL_URL: sandbox.current.url, SOEMAIL_TICKET: await freshTicket(sandbox.current.url)}), stdio: ['ignore', 'pipe', 'pipe']})
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    // Keep appending until the command ends, so some appends land while the pre-flight reads.
    let extra = 0
    const writer = setInterval(() => appendFileSync(file, `${createRow(950_000 + extra++)}\n`), 100)
    const code = await new Promise<number | null>((r) => child.on('close', r))
    clearInterval(writer)
    expect(code, stderr).toBe(3)
    expect(stderr).toMatch(/changed while it was being checked; nothing was sent/)
    expect(sandbox.current.stats().acted).toBe(before)
    expect(existsSync(`${file}.results.csv`)).toBe(false)
  }, 60_000)
})
