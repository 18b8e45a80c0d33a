import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {runAccountCheck} from '../../src/app/account-check.js'
import {CliError, UsageError} from '../../src/errors.js'
import {startSandbox, type Sandbox} from '../../src/sandbox/server.js'
import type {EMailAccount} from '../../src/soap/account-model.js'
import {NetServerClient} from '../../src/soap/client.js'
import {EMailService} from '../../src/soap/email-service.js'
import {SoapTransport} from '../../src/soap/transport.js'
import {MAIL_USERS} from '../helpers/dovecot.js'
import {dovecotInstalled, useMailServers} from '../helpers/mail-servers.js'
import {SMTP_USERS} from '../helpers/smtp.js'
import {NO_FLAGS, useWorlds} from '../helpers/world.js'

const haveDovecot = dovecotInstalled()

describe.skipIf(!haveDovecot)('runAccountCheck', () => {
  const servers = useMailServers()
  const holder: {current: Sandbox} = {} as {current: Sandbox}
  const world = useWorlds(holder)
  const transport = new SoapTransport({timeoutMs: 30_000})
  const ids = {ok: 0, wrongImap: 0, failed: 0}
  const dir = mkdtempSync(join(tmpdir(), 'soemail-check-'))

  beforeAll(async () => {
    holder.current = await startSandbox({mail: {ca: servers.current.ca.caPem, timeoutMs: 10_000}})
    const email = new EMailService(new NetServerClient({baseUrl: holder.current.url, version: '87', ticket: holder.current.demoTicket}, transport))
    const account = (address: string, imapPassword: string, status: Partial<EMailAccount>): EMailAccount => ({
      emailAddress: address,
      associateId: 5,
      incoming: {server: '127.0.0.1', port: servers.current.imap.plainPort, username: 'alice', password: imapPassword, authType: 'plain-text'},
      outgoing: {server: '127.0.0.1', port: servers.current.smtp.startTlsPort, username: 'alice', password: SMTP_USERS.alice, authType: 'plain-text'},
      ...status,
    })
    // Status members are read-only, as on NetServer: the sandbox's setSyncState stands in for sync's verdicts.
    const save = async ({accountStatus, errorCount, errorReason, ...a}: EMailAccount) => {
      const id = (await email.saveEMailAccount(a)).emailAccountId ?? 0
      holder.current!.setSyncState(id, {accountStatus: accountStatus ?? 0, errorCount, errorReason})
      return id
    }
    ids.ok = await save(account('ok@example.com', MAIL_USERS.alice, {accountStatus: 4}))
    ids.wrongImap = await save(account('typo@example.com', 'typo-secret', {accountStatus: 0}))
    ids.failed = await save(account('failed@example.com', MAIL_USERS.alice, {accountStatus: 3, errorCount: 7, errorReason: 'Authentication failed.'}))
  }, 30_000)
  afterAll(async () => {
    await holder.current?.close()
    transport.close()
  })

  type Report = {checked: number; attention: number; accounts: Array<{id: number; status?: string; attention: boolean; why: string[]; verify?: {incoming: {ok: boolean; reason?: string}; outgoing: {ok: boolean}}}>}
  const partial = async (promise: Promise<unknown>): Promise<Report> => {
    const error = await promise.then(() => undefined, (e: unknown) => e)
    expect(error).toBeInstanceOf(CliError)
    expect((error as CliError).exitCode).toBe(6)
    return (error as CliError).details as Report
  }

  it('a healthy account: its status by name, exit 0', async () => {
    const w = world()
    const result = (await runAccountCheck({...NO_FLAGS, ids: [ids.ok]}, w)) as Report
    expect(result).toMatchObject({checked: 1, attention: 0, accounts: [{id: ids.ok, status: 'Ok', attention: false}]})
    expect(w.stdout.text()).toMatch(/ok@example\.com\s+Ok/)
  })

  it('without --verify only the stored status counts: the Failed one needs attention (exit 6), with its ErrorReason', async () => {
    const w = world()
    const report = await partial(runAccountCheck({...NO_FLAGS, ids: [ids.ok, ids.wrongImap, ids.failed]}, w))
    expect(report.accounts.map((a) => [a.id, a.status, a.attention])).toEqual([
      [ids.ok, 'Ok', false],
      [ids.wrongImap, 'Unknown', false],
      [ids.failed, 'Failed', true],
    ])
    expect(report.accounts[2]?.why).toEqual(['status Failed: Authentication failed.'])
    expect(w.stdout.text()).toContain('1 of 3 account(s) need attention')
  })

  it('--verify tests every login through the server and names the failing side; no password anywhere', async () => {
    const w = world()
    const report = await partial(runAccountCheck({...NO_FLAGS, ids: [ids.ok, ids.wrongImap], verify: true}, w))
    expect(report.attention).toBe(1)
    const bad = report.accounts.find((a) => a.id === ids.wrongImap)
    expect(bad?.verify?.incoming.ok).toBe(false)
    expect(bad?.verify?.outgoing.ok).toBe(true)
    expect(bad?.why.join()).toMatch(/^incoming \(IMAP\): login as alice@127\.0\.0\.1:\d+ failed/)
    expect(w.stdout.text()).toMatch(/typo@example\.com.*IMAP failed/)
    expect(JSON.stringify(report) + w.stdout.text() + w.stderr.text()).not.toMatch(/typo-secret|alice-imap-secret|alice-smtp-secret/)
  })

  it('--out writes an import file of what to fix; filled in and imported, the account logs in', async () => {
    const out = join(dir, 'repair.csv')
    await partial(runAccountCheck({...NO_FLAGS, ids: [ids.ok, ids.wrongImap], verify: true, out}, world()))
    const lines = readFileSync(out, 'utf8').trimEnd().split('\n')
    expect(lines[0]).toBe('id,email,imap_server,imap_port,imap_username,imap_password,smtp_server,smtp_port,smtp_username,smtp_password')
    // Only the side that failed is filled in, its password left for the admin.
    expect(lines.slice(1)).toEqual([`${ids.wrongImap},typo@example.com,127.0.0.1,${servers.current.imap.plainPort},alice,,,,,`])

    writeFileSync(out, `${lines[0]}\n${lines[1]?.replace(/,alice,,/, `,alice,${MAIL_USERS.alice},`)}\n`)
    const {runAccountImport} = await import('../../src/app/account-import.js')
    await runAccountImport({...NO_FLAGS, file: out, concurrency: '2', retries: 3, output: 'text', argv: [out], commandId: 'account:import'}, world())
    expect(await runAccountCheck({...NO_FLAGS, ids: [ids.wrongImap], verify: true}, world())).toMatchObject({attention: 0})
  })

  it('--all checks what GetReadySyncEmailAccounts lists - which leaves the Failed account out (hence --from for a full check)', async () => {
    const report = (await runAccountCheck({...NO_FLAGS, all: true}, world())) as Report
    const checked = report.accounts.map((a) => a.id)
    expect(checked).toEqual(expect.arrayContaining([ids.ok, ids.wrongImap]))
    expect(checked).not.toContain(ids.failed)
    expect(report.attention).toBe(0)
  })

  it('--from reads the ids of a file; an id without an account needs attention', async () => {
    const file = join(dir, 'ids.txt')
    writeFileSync(file, `${ids.ok}\n999999\n`)
    const report = await partial(runAccountCheck({...NO_FLAGS, from: file}, world()))
    expect(report.accounts[1]).toMatchObject({id: 999_999, attention: true, why: ['there is no e-mail account with this id']})
  })

  it('needs exactly one of ids, --from and --all', async () => {
    await expect(runAccountCheck({...NO_FLAGS}, world())).rejects.toThrow(UsageError)
    await expect(runAccountCheck({...NO_FLAGS, ids: [1], all: true}, world())).rejects.toThrow(/not more than one/)
  })
})
