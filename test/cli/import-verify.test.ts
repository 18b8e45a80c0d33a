/**
 * `account import` with the login tests on, from the built CLI: the sandbox logs in to real IMAP
 * (Dovecot) and SMTP servers on 127.0.0.1 for each row, as NetServer would from the CRM server.
 */
import {mkdtempSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {startSandbox, type Sandbox} from '../../src/sandbox/server.js'
import {parseJson, runCli} from '../helpers/cli.js'
import {MAIL_USERS} from '../helpers/dovecot.js'
import {readResults, writeCsv} from '../helpers/import-csv.js'
import {dovecotInstalled, useMailServers} from '../helpers/mail-servers.js'
import {SMTP_USERS} from '../helpers/smtp.js'

const haveDovecot = dovecotInstalled()

describe.skipIf(!haveDovecot)('account import verifies before it saves (built CLI, real mail servers)', () => {
  const servers = useMailServers()
  let sandbox: Sandbox
  beforeAll(async () => {
    sandbox = await startSandbox({port: 0, schemaCheck: false, mail: {ca: servers.current.ca.caPem, timeoutMs: 10_000}})
  }, 30_000)
  afterAll(async () => {
    await sandbox?.close()
  })
  // The login test on (the test helpers turn it off by default); DNS stays off (SOEMAIL_OFFLINE=1).
  const env = () => ({SOEMAIL_URL: sandbox.url, SOEMAIL_TICKET: sandbox.demoTicket, SOEMAIL_VERIFY: undefined})
  const work = () => mkdtempSync(join(tmpdir(), 'soemail-import-verify-'))
  const count = (email: string) => sandbox.accounts().filter((a) => a.emailAddress === email).length

  let n = 0
  /** A create row on the local servers; `imap`/`smtp` replace the right passwords. */
  const row = (over: {imap?: string; smtp?: string; imapServer?: string} = {}) => {
    const email = `row${++n}@example.com`
    const imapPort = servers.current.imap.plainPort
    const smtpPort = servers.current.smtp.startTlsPort
    return {email, line: `,${email},7,${over.imapServer ?? '127.0.0.1'},${imapPort},,alice,${over.imap ?? MAIL_USERS.alice},127.0.0.1,${smtpPort},,alice,${over.smtp ?? SMTP_USERS.alice}`}
  }

  it('mixed rows: the good ones are saved, wrong passwords are verify-failed with the side, Microsoft 365 is refused; exit 6', async () => {
    const dir = work()
    const good = [row(), row()]
    const wrongImap = row({imap: 'typo-imap-secret'})
    const wrongSmtp = row({smtp: 'typo-smtp-secret'})
    const m365 = row({imapServer: 'outlook.office365.com'})
    const file = writeCsv(join(dir, 'mixed.csv'), [good[0]!.line, wrongImap.line, good[1]!.line, wrongSmtp.line, m365.line])

    // The dry-run makes the same tests and saves nothing.
    const plan = await runCli(['account', 'import', file, '--dry-run'], {env: env()})
    expect(plan.code, plan.stderr).toBe(6)
    expect(plan.stdout).toMatch(/line 3\s+verify-failed .*incoming \(IMAP\): login as alice@127\.0\.0\.1:\d+ failed/)
    expect(plan.stdout).toMatch(/line 5\s+verify-failed .*outgoing \(SMTP\)/)
    expect(plan.stdout).toMatch(/line 6\s+invalid .*Microsoft 365/)
    expect(plan.stdout).toMatch(/Plan: 2 to create, 0 to update, 0 unchanged, 1 invalid, 2 whose login test failed\. Nothing was changed\./)
    expect(sandbox.accounts().filter((a) => a.emailAddress?.startsWith('row'))).toHaveLength(0)

    const res = await runCli(['account', 'import', file, '--skip-invalid'], {env: env()})
    expect(res.code, res.stderr + res.stdout).toBe(6)
    expect(res.stdout).toMatch(/verify-failed 2/)
    expect(res.stderr).toMatch(/3 of 5 rows did not succeed \(0 failed, 0 unknown, 1 invalid, 2 verify-failed\)/)
    const results = readResults(readFileSync(`${file}.results.csv`, 'utf8'))
    expect(results.map((r) => r.status)).toEqual(['ok', 'verify-failed', 'ok', 'verify-failed', 'invalid'])
    expect(results[1]!.error).toMatch(/^the login test failed, nothing saved: incoming \(IMAP\)/)
    expect(results[3]!.error).toMatch(/^the login test failed, nothing saved: outgoing \(SMTP\)/)
    expect(results[4]!.error).toMatch(/Sign in with Microsoft/)
    for (const g of good) expect(count(g.email)).toBe(1)
    for (const bad of [wrongImap, wrongSmtp, m365]) expect(count(bad.email)).toBe(0)
    for (const f of [`${file}.results.csv`, `${file}.results.csv.journal`]) expect(readFileSync(f, 'utf8')).not.toMatch(/typo-|alice-imap-secret|alice-smtp-secret/)

    // A fixed file resumes: the verify-failed rows are tried again, the good ones not.
    const fixed = writeCsv(file, [good[0]!.line, wrongImap.line.replace('typo-imap-secret', MAIL_USERS.alice), good[1]!.line, wrongSmtp.line.replace('typo-smtp-secret', SMTP_USERS.alice), m365.line])
    const again = await runCli(['account', 'import', fixed, '--resume', '--force', '--skip-invalid', '--json'], {env: env()})
    expect(again.code, again.stderr).toBe(6)
    expect(parseJson(again.stdout).error?.details).toMatchObject({counts: {ok: 4, invalid: 1, 'verify-failed': 0}})
    expect(count(wrongImap.email)).toBe(1)
    expect(count(wrongSmtp.email)).toBe(1)
  })

  it('--save-unverified saves a failed row with a warning in its error column; --no-verify tests nothing', async () => {
    const dir = work()
    const bad = row({imap: 'typo-imap-secret'})
    const file = writeCsv(join(dir, 'unverified.csv'), [bad.line])
    const res = await runCli(['account', 'import', file, '--save-unverified'], {env: env()})
    expect(res.code, res.stderr).toBe(0)
    const [result] = readResults(readFileSync(`${file}.results.csv`, 'utf8'))
    expect(result).toMatchObject({status: 'ok', action: 'create'})
    expect(result!.error).toMatch(/^warning: saved without a working login \(--save-unverified\): incoming \(IMAP\)/)
    expect(count(bad.email)).toBe(1)

    const skipped = row({imap: 'typo-imap-secret'})
    const quiet = writeCsv(join(dir, 'quiet.csv'), [skipped.line])
    const before = sandbox.stats().byOperation.AuthenticateIncoming ?? 0
    expect((await runCli(['account', 'import', quiet, '--no-verify'], {env: env()})).code).toBe(0)
    expect(sandbox.stats().byOperation.AuthenticateIncoming ?? 0).toBe(before)
    expect(count(skipped.email)).toBe(1)
  })

  it('an update row is tested only when it changes a login, against the stored account with the change merged in', async () => {
    const dir = work()
    const seed = row()
    expect((await runCli(['account', 'import', writeCsv(join(dir, 'seed.csv'), [seed.line])], {env: env()})).code).toBe(0)
    const id = sandbox.accounts().find((a) => a.emailAddress === seed.email)!.emailAccountId!
    const before = sandbox.stats().byOperation.AuthenticateOutgoing ?? 0
    const file = writeCsv(join(dir, 'upd.csv'), [`${id},,,,,,,,,,,,typo-smtp-secret`])
    const res = await runCli(['account', 'import', file, '--json'], {env: env()})
    expect(res.code).toBe(6)
    // The row was tried: it counts as settled, like any row with an outcome.
    expect(parseJson(res.stdout).error?.details).toMatchObject({tried: 1, notTried: 0, counts: {'verify-failed': 1}})
    const [result] = readResults(readFileSync(`${file}.results.csv`, 'utf8'))
    expect(result).toMatchObject({status: 'verify-failed', action: 'update', account_id: String(id)})
    expect(result!.error).toMatch(/outgoing \(SMTP\)/)
    expect(sandbox.accounts().find((a) => a.emailAccountId === id)?.outgoing?.password).toBe(SMTP_USERS.alice)
    expect(sandbox.stats().byOperation.AuthenticateOutgoing).toBe(before + 1)

    const incomingBefore = sandbox.stats().byOperation.AuthenticateIncoming ?? 0
    const rename = writeCsv(join(dir, 'rename.csv'), [`${id},renamed-${seed.email},,,,,,,,,,,`])
    expect((await runCli(['account', 'import', rename], {env: env()})).code).toBe(0)
    expect(sandbox.stats().byOperation.AuthenticateIncoming ?? 0).toBe(incomingBefore)
  })
})
