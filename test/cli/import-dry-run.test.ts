/**
 * A dry-run that tells the truth (issue 11 §5): the real run's checks and the real run's exit code,
 * without a write; and `--dry-run && import` as a gate.
 */
import {spawn} from 'node:child_process'
import {existsSync, mkdtempSync} from 'node:fs'
import {createServer} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {BIN, cleanEnv, parseJson, runCli, type CliResult} from '../helpers/cli.js'
import {createRow, writeCsv} from '../helpers/import-csv.js'
import {useSandbox} from '../helpers/sandbox.js'
import {wideDirectory} from '../helpers/users.js'

const sandbox = useSandbox({schemaCheck: false, users: wideDirectory()})
afterEach(() => sandbox.current.setFaults(undefined))
const good = () => ({SOEMAIL_URL: sandbox.current.url, SOEMAIL_TICKET: sandbox.current.demoTicket})
const work = () => mkdtempSync(join(tmpdir(), 'soemail-dry-'))
const countByEmail = (email: string) => sandbox.current.accounts().filter((a) => a.emailAddress === email).length

/** A URL where nothing listens: a port that was free a moment ago. */
async function deadUrl(): Promise<string> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as {port: number}
  await new Promise((resolve) => server.close(resolve))
  return `http://127.0.0.1:${port}/SuperOffice`
}

let nextUser = 800_000
const rows = (n: number) => Array.from({length: n}, () => createRow(nextUser++))

describe('account import --dry-run exits as the real run would, and writes nothing', () => {
  const scenarios: Array<{name: string; code: number; setup: (dir: string) => Promise<{file: string; env: Record<string, string>; args?: string[]}>}> = [
    {name: 'a good file: 0', code: 0, setup: async (dir) => ({file: writeCsv(join(dir, 'ok.csv'), rows(3)), env: good()})},
    {name: 'invalid rows: 3', code: 3, setup: async (dir) => ({file: writeCsv(join(dir, 'bad.csv'), [...rows(1), ',not-an-email,5,i,993,,,p,s,587,,,p']), env: good()})},
    {name: 'invalid rows with a bogus ticket: 3, as the real run checks the file first', code: 3, setup: async (dir) => ({file: writeCsv(join(dir, 'bad2.csv'), [',not-an-email,5,i,993,,,p,s,587,,,p', ...rows(1)]), env: {...good(), SOEMAIL_TICKET: 'bogus-ticket'}})},
    {name: 'a bogus ticket: 4', code: 4, setup: async (dir) => ({file: writeCsv(join(dir, 'ticket.csv'), rows(2)), env: {...good(), SOEMAIL_TICKET: 'bogus-ticket'}})},
    {name: 'nothing listening at the URL: 7', code: 7, setup: async (dir) => ({file: writeCsv(join(dir, 'url.csv'), rows(2)), env: {SOEMAIL_URL: await deadUrl(), SOEMAIL_TICKET: 'any'}})},
    {name: 'a server that answers 500: 7', code: 7, setup: async (dir) => {
      sandbox.current.setFaults({rates: {serverError: 1}})
      return {file: writeCsv(join(dir, '500.csv'), rows(2)), env: good(), args: ['--retries', '0']}
    }},
    {name: 'invalid rows with --skip-invalid: 6', code: 6, setup: async (dir) => ({file: writeCsv(join(dir, 'skip.csv'), [...rows(1), ',nope,5,i,993,,,p,s,587,,,p']), env: good(), args: ['--skip-invalid']})},
  ]
  for (const scenario of scenarios) {
    it(scenario.name, async () => {
      const dir = work()
      const {file, env, args = []} = await scenario.setup(dir)
      const acted = sandbox.current.stats().acted
      const dry = await runCli(['account', 'import', file, '--dry-run', ...args], {env})
      expect(dry.code, dry.stderr).toBe(scenario.code)
      expect(sandbox.current.stats().acted).toBe(acted)
      expect(existsSync(`${file}.results.csv`)).toBe(false)
      expect(existsSync(`${file}.results.csv.lock`)).toBe(false)
      const json = await runCli(['account', 'import', file, '--dry-run', '--json', ...args], {env})
      expect(parseJson(json.stdout).status).toBe(scenario.code)
      expect(sandbox.current.stats().acted).toBe(acted)
      const real = await runCli(['account', 'import', file, ...args], {env})
      expect(real.code, real.stderr).toBe(scenario.code)
    }, 60_000)
  }

  it('checks the ticket with an authenticated read even when every row creates (and once more to learn who the caller is, for the index)', async () => {
    const dir = work()
    const file = writeCsv(join(dir, 'reads.csv'), rows(2))
    const before = sandbox.current.stats().byOperation.CreateDefaultEMailAccount ?? 0
    const res = await runCli(['account', 'import', file, '--dry-run'], {env: good()})
    expect(res.code, res.stderr).toBe(0)
    // The ticket check, and the account index asking whose ticket it is (CreateDefaultEMailAccount names the caller).
    expect((sandbox.current.stats().byOperation.CreateDefaultEMailAccount ?? 0) - before).toBe(2)
  })
})

/** The documented gate, as a shell runs it. */
function gate(file: string, env: Record<string, string>): Promise<CliResult> {
  const cli = `"${process.execPath}" "${BIN}" account import "${file}"`
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', `${cli} --dry-run && ${cli}`], {env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({code, stdout, stderr}))
  })
}

describe('soemail account import f.csv --dry-run && soemail account import f.csv', () => {
  it('a bogus ticket stops the gate before the import: exit 4, nothing sent, no run files', async () => {
    const dir = work()
    const file = writeCsv(join(dir, 'gate.csv'), [createRow(nextUser)])
    const email = `user${nextUser++}@example.com`
    const acted = sandbox.current.stats().acted
    const res = await gate(file, {...good(), SOEMAIL_TICKET: 'bogus-ticket'})
    expect(res.code, res.stderr).toBe(4)
    // The dry-run itself failed (no plan printed), and the import never started (one error, not two).
    expect(res.stdout).not.toMatch(/to create|Imported/)
    expect(res.stderr.match(/Error:/g)).toHaveLength(1)
    expect(res.stderr).toMatch(/ticket/i)
    expect(sandbox.current.stats().acted).toBe(acted)
    expect(countByEmail(email)).toBe(0)
    expect(existsSync(`${file}.results.csv`)).toBe(false)
  }, 30_000)

  it('a good file passes the gate and is imported once', async () => {
    const dir = work()
    const file = writeCsv(join(dir, 'gate.csv'), [createRow(nextUser), createRow(nextUser + 1)])
    const emails = [`user${nextUser}@example.com`, `user${nextUser + 1}@example.com`]
    nextUser += 2
    const res = await gate(file, good())
    expect(res.code, res.stderr).toBe(0)
    expect(res.stdout).toMatch(/2 to create/)
    expect(res.stdout).toMatch(/Imported 2 rows/)
    for (const email of emails) expect(countByEmail(email)).toBe(1)
  }, 30_000)
})
