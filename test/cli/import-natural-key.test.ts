import {mkdtempSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {parseJson, runCli} from '../helpers/cli.js'
import {createRow, readResults, writeCsv} from '../helpers/import-csv.js'
import {useSandbox} from '../helpers/sandbox.js'
import {wideDirectory} from '../helpers/users.js'

const sandbox = useSandbox({schemaCheck: false, users: wideDirectory()})
const env = () => ({SOEMAIL_URL: sandbox.current.url, SOEMAIL_TICKET: sandbox.current.demoTicket})
const work = () => mkdtempSync(join(tmpdir(), 'soemail-natural-key-'))
const stored = (email: string) => sandbox.current.accounts().filter((a) => a.emailAddress === email)
/** What the sandbox did since `before`: requests that changed an account, and the operations called. */
function since(before: ReturnType<typeof sandbox.current.stats>) {
  const after = sandbox.current.stats()
  const calls: Record<string, number> = {}
  for (const [op, n] of Object.entries(after.byOperation)) if (n !== (before.byOperation[op] ?? 0)) calls[op] = n - (before.byOperation[op] ?? 0)
  return {acted: after.acted - before.acted, calls}
}

describe('import: rows without id match existing accounts by e-mail and associate', () => {
  it('the same provisioning file twice: the second run reports every row unchanged and sends nothing but reads', async () => {
    const dir = work()
    // Another associate than the ticket's, as a provisioning file has.
    const file = writeCsv(join(dir, 'team.csv'), Array.from({length: 40}, (_, i) => createRow(800_000 + i, 12)))
    const first = await runCli(['account', 'import', file, '--json'], {env: env()})
    expect(first.code, first.stderr).toBe(0)
    const ids = readResults(readFileSync(`${file}.results.csv`, 'utf8')).map((r) => r.account_id)

    const before = sandbox.current.stats()
    const again = await runCli(['account', 'import', file, '--restart', '--json'], {env: env()})
    expect(again.code, again.stderr).toBe(0)
    expect(parseJson(again.stdout).result).toMatchObject({counts: {ok: 40}, actions: {create: 0, update: 0, unchanged: 40}})
    const results = readResults(readFileSync(`${file}.results.csv`, 'utf8'))
    expect(results.map((r) => [r.action, r.status])).toEqual(Array.from({length: 40}, () => ['unchanged', 'ok']))
    expect(results.map((r) => r.account_id)).toEqual(ids)
    const {acted, calls} = since(before)
    expect(acted).toBe(0)
    expect(calls.SaveEMailAccount).toBeUndefined()
    expect(Object.keys(calls).sort()).toEqual(['CreateDefaultEMailAccount', 'GetArchiveListByColumns2', 'GetEMailAccount', 'GetReadySyncEmailAccounts'])
    for (let i = 0; i < 40; i++) expect(stored(`user${800_000 + i}@example.com`)).toHaveLength(1)
  })

  it('a changed row becomes an update of the matched account; the dry-run plan says create, update #id or unchanged', async () => {
    const dir = work()
    const rows = [createRow(810_000, 12), createRow(810_001, 12)]
    const file = writeCsv(join(dir, 'change.csv'), rows)
    expect((await runCli(['account', 'import', file], {env: env()})).code).toBe(0)
    const [a] = stored('user810000@example.com')
    const changed = writeCsv(join(dir, 'change2.csv'), [rows[0]!.replace(',993,', ',143,'), rows[1]!, createRow(810_002, 12)])

    const before = sandbox.current.stats()
    const plan = await runCli(['account', 'import', changed, '--dry-run'], {env: env()})
    expect(plan.code, plan.stderr).toBe(0)
    expect(plan.stdout).toMatch(new RegExp(`line 2 +update +#${a!.emailAccountId} \\(matched user810000@example.com for associate 12\\) imap-port: 993 → 143`))
    expect(plan.stdout).toMatch(/line 3 +unchanged #\d+ \(matched user810001@example.com for associate 12\)/)
    expect(plan.stdout).toMatch(/line 4 +create +user810002@example.com, Kari Nordmann \(kari, #12\)/)
    expect(plan.stdout).toContain('Plan: 1 to create, 1 to update, 1 unchanged.')
    expect(since(before).acted).toBe(0)

    const res = await runCli(['account', 'import', changed, '--json'], {env: env()})
    expect(res.code, res.stderr).toBe(0)
    expect(parseJson(res.stdout).result).toMatchObject({actions: {create: 1, update: 1, unchanged: 1}})
    expect(stored('user810000@example.com')).toMatchObject([{emailAccountId: a!.emailAccountId, incoming: {port: 143}}])
    // The undo file holds the account as it was before the update.
    expect(readFileSync(`${changed}.results.undo.csv`, 'utf8')).toContain(`${a!.emailAccountId},user810000@example.com,12,imap.example.com,993`)
  })

  it('two rows of one file with the same e-mail (any case) and associate are a pre-flight problem: nothing is sent', async () => {
    const dir = work()
    const file = writeCsv(join(dir, 'twice.csv'), [createRow(820_000, 12), createRow(820_000, 12).replace('user820000@', 'USER820000@')])
    const before = sandbox.current.stats()
    const res = await runCli(['account', 'import', file], {env: env()})
    expect(res.code).toBe(3)
    expect(res.stderr).toMatch(/line 3 repeats email USER820000@example.com with associate_id 12 from line 2/)
    expect(since(before).calls).toEqual({})
  })

  it('on a terminal, reading the existing accounts shows its progress', async () => {
    const {runInPty} = await import('../helpers/pty.js')
    const file = writeCsv(join(work(), 'tty.csv'), Array.from({length: 6}, (_, i) => createRow(830_000 + i, 15)))
    expect((await runCli(['account', 'import', file], {env: env()})).code).toBe(0)
    const session = await runInPty(['account', 'import', file, '--dry-run'], [], env())
    expect(session.code, session.screen).toBe(0)
    expect(session.screen).toMatch(/\rLooking for existing accounts: 6\/6 read/)
    expect(session.screen).toContain('Plan: 0 to create, 0 to update, 6 unchanged.')
  })

  it('a row without id that matches an account another row updates by id is refused, not a second writer', async () => {
    const dir = work()
    const first = writeCsv(join(dir, 'one.csv'), [createRow(840_000, 12)])
    expect((await runCli(['account', 'import', first], {env: env()})).code).toBe(0)
    const [account] = stored('user840000@example.com')
    const both = writeCsv(join(dir, 'both.csv'), [`${account!.emailAccountId},,,imap2.example.com,,,,,,,,,`, createRow(840_000, 12).replace(',993,', ',143,')])
    const res = await runCli(['account', 'import', both, '--json'], {env: env()})
    expect(res.code).toBe(6)
    const results = readResults(readFileSync(`${both}.results.csv`, 'utf8'))
    expect(results.map((r) => r.status)).toEqual(['ok', 'failed'])
    expect(results[1]?.error).toBe(`the row matches account #${account!.emailAccountId}, which line 2 updates by id; give this row that id too, or drop one of the rows`)
    expect(stored('user840000@example.com')).toMatchObject([{incoming: {server: 'imap2.example.com', port: 993}}])
  })
})
