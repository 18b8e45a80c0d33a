/**
 * Services88 as published in 2026 (issue 12 §4): InboxFolder, SentFolder, SimpleMode and LastFetch,
 * from the built CLI against the sandbox (schema check on, so every request meets its version's XSD).
 */
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {parseJson, runCli} from '../helpers/cli.js'
import {createRow, HEADER, writeCsv} from '../helpers/import-csv.js'
import {useSandbox} from '../helpers/sandbox.js'

const sandbox = useSandbox()
const env = (version: string) => ({SOEMAIL_URL: sandbox.current.url, SOEMAIL_TICKET: sandbox.current.demoTicket, SOEMAIL_API_VERSION: version})
const work = () => mkdtempSync(join(tmpdir(), 'soemail-88-'))

const createArgs = ['account', 'save', '--create-new', '--email', 'jane.doe@example.com', '--associate', '5', '--imap-server', 'imap.example.com', '--smtp-server', 'smtp.example.com', '--imap-password-stdin', '--smtp-password-stdin']

type Got = {id: number; inboxFolder?: string; sentFolder?: string; simpleMode?: number; lastFetch?: string | null}

async function get(id: number, version: string): Promise<Got> {
  const res = await runCli(['account', 'get', String(id), '--json'], {env: env(version)})
  expect(res.code, res.stderr).toBe(0)
  return parseJson(res.stdout).result as Got
}

describe('--api-version 88 round-trips the 2026 members', () => {
  it('save sets InboxFolder, SentFolder and SimpleMode; get shows them and LastFetch', async () => {
    const res = await runCli([...createArgs, '--api-version', '88', '--inbox-folder', 'INBOX/CRM', '--sent-folder', 'Sent Items', '--simple-mode', 'on', '--json'], {env: env('88'), input: 'a\nb\n'})
    expect(res.code, res.stderr).toBe(0)
    const id = (parseJson(res.stdout).result as {account: Got}).account.id
    expect(sandbox.current.accounts().find((a) => a.emailAccountId === id)).toMatchObject({inboxFolder: 'INBOX/CRM', sentFolder: 'Sent Items', simpleMode: 1})

    // Never synced: the server sends DateTime.MinValue, shown as null / "never".
    expect(await get(id, '88')).toMatchObject({id, inboxFolder: 'INBOX/CRM', sentFolder: 'Sent Items', simpleMode: 1, lastFetch: null})
    const text = await runCli(['account', 'get', String(id), '--api-version', '88'], {env: env('88')})
    expect(text.stdout).toMatch(/^Inbox folder\s+INBOX\/CRM$/m)
    expect(text.stdout).toMatch(/^Simple mode\s+on$/m)
    expect(text.stdout).toMatch(/^Last fetch\s+never$/m)

    sandbox.current.setSyncState(id, {accountStatus: 4, lastFetch: '2026-02-03T04:05:06'})
    expect((await get(id, '88')).lastFetch).toBe('2026-02-03T04:05:06')

    // Leaving a flag out keeps the value; --simple-mode off turns it off.
    const upd = await runCli(['account', 'save', '--id', String(id), '--simple-mode', 'off', '--json'], {env: env('88')})
    expect(upd.code, upd.stderr).toBe(0)
    expect(parseJson(upd.stdout).result).toMatchObject({action: 'updated', changes: [{field: 'simple-mode', from: 1, to: 0}]})
    expect(await get(id, '88')).toMatchObject({inboxFolder: 'INBOX/CRM', sentFolder: 'Sent Items', simpleMode: 0, lastFetch: '2026-02-03T04:05:06'})

    // An empty value clears a folder.
    const cleared = await runCli(['account', 'save', '--id', String(id), '--inbox-folder', ''], {env: env('88')})
    expect(cleared.code, cleared.stderr).toBe(0)
    expect(await get(id, '88')).toMatchObject({inboxFolder: '', sentFolder: 'Sent Items'})
  })

  it('86 and 87 answers leave the members out, and an 87 update keeps what 88 stored', async () => {
    const res = await runCli([...createArgs, '--inbox-folder', 'INBOX', '--json'], {env: env('88'), input: 'a\nb\n'})
    expect(res.code, res.stderr).toBe(0)
    const id = (parseJson(res.stdout).result as {account: Got}).account.id
    for (const version of ['86', '87']) {
      const got = await get(id, version)
      expect(Object.keys(got), version).not.toEqual(expect.arrayContaining(['inboxFolder']))
      expect(got).not.toHaveProperty('lastFetch')
      expect(got).not.toHaveProperty('simpleMode')
    }
    const text = await runCli(['account', 'get', String(id)], {env: env('87')})
    expect(text.stdout).not.toMatch(/Inbox folder|Last fetch|Simple mode/)
    const upd = await runCli(['account', 'save', '--id', String(id), '--imap-port', '143'], {env: env('87')})
    expect(upd.code, upd.stderr).toBe(0)
    expect(await get(id, '88')).toMatchObject({inboxFolder: 'INBOX'})
  })

  it('an 88-only flag with 86 or 87 is a usage error that names the version, and nothing is sent', async () => {
    for (const version of ['86', '87']) {
      const before = sandbox.current.accounts().length
      const res = await runCli([...createArgs, '--api-version', version, '--sent-folder', 'Sent'], {env: env(version), input: 'a\nb\n'})
      expect(res.code, res.stderr).toBe(2)
      expect(res.stderr).toContain(`--sent-folder exists only from --api-version 88 (Services88); this connection uses ${version}`)
      expect(sandbox.current.accounts().length).toBe(before)
    }
    // From the environment or a profile alike: the connection's version decides.
    const env87 = await runCli([...createArgs, '--simple-mode', 'yes'], {env: env('87'), input: 'a\nb\n'})
    expect(env87.code).toBe(2)
    expect(env87.stderr).toContain('this connection uses 87')
  })

  it('a bad --simple-mode value is a usage error that says what to give', async () => {
    const res = await runCli([...createArgs, '--simple-mode', 'maybe'], {env: env('88'), input: 'a\nb\n'})
    expect(res.code).toBe(2)
    expect(res.stderr).toContain('--simple-mode is "maybe"; give on/off, yes/no, true/false or 1/0')
  })

  it('import on 88 reads inbox_folder, sent_folder and simple_mode; on 87 a value in them is a row error (exit 3)', async () => {
    const dir = work()
    const header = `${HEADER},inbox_folder,sent_folder,simple_mode`
    const file = writeCsv(join(dir, 'a.csv'), [`${createRow(8801)},INBOX,Sent,yes`, `${createRow(8802)},,,`], header)
    const res = await runCli(['account', 'import', file, '--json'], {env: env('88')})
    expect(res.code, res.stderr).toBe(0)
    const stored = (n: number) => sandbox.current.accounts().find((a) => a.emailAddress === `user${n}@example.com`)
    expect(stored(8801)).toMatchObject({inboxFolder: 'INBOX', sentFolder: 'Sent', simpleMode: 1})
    expect(stored(8802)).toMatchObject({inboxFolder: '', simpleMode: 0})

    const bad = writeCsv(join(dir, 'b.csv'), [`${createRow(8803)},INBOX,,`, `${createRow(8804)},,,`, `${createRow(8805)},,,maybe`], header)
    const refused = await runCli(['account', 'import', bad], {env: env('87')})
    expect(refused.code, refused.stderr).toBe(3)
    expect(refused.stderr).toContain('line 2, column inbox_folder: inbox_folder exists only from --api-version 88 (Services88); this connection uses 87')
    expect(refused.stderr).toContain('simple_mode exists only from --api-version 88')
    expect(stored(8803)).toBeUndefined()
    expect(stored(8804)).toBeUndefined()

    const wrong = writeCsv(join(dir, 'c.csv'), [`${createRow(8806)},,,maybe`], header)
    const badValue = await runCli(['account', 'import', wrong, '--results', join(dir, 'c.results.csv')], {env: env('88')})
    expect(badValue.code).toBe(3)
    expect(badValue.stderr).toContain('simple_mode is "maybe"; give on/off, yes/no, true/false or 1/0')
  })
})
