/**
 * --ticket-stdin on every command that connects: the ticket comes from the first line of standard input
 * and nowhere else (no SOEMAIL_TICKET, no profile), so a command that ignored the flag would have none.
 */
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {parseJson, runCli} from '../helpers/cli.js'
import {createRow, writeCsv} from '../helpers/import-csv.js'
import {useSandbox} from '../helpers/sandbox.js'

const sandbox = useSandbox({schemaCheck: false})
const viaStdin = (args: string[], ticket = sandbox.current.demoTicket) => runCli([...args, '--url', sandbox.current.url, '--ticket-stdin', '--json'], {input: `${ticket}\n`})

async function createdId(n: number): Promise<number> {
  const res = await viaStdin(['account', 'save', '--email', `stdin${n}@example.com`, '--associate', '5', '--imap-server', 'imap.example.com', '--smtp-server', 'smtp.example.com', '--imap-auth-type', 'oauth2', '--smtp-auth-type', 'oauth2'])
  expect(res.code, res.stderr).toBe(0)
  return (parseJson(res.stdout).result as {account: {id: number}}).account.id
}

describe('--ticket-stdin', () => {
  it('account get and delete use the ticket from standard input', async () => {
    const id = await createdId(1)
    expect((await viaStdin(['account', 'get', String(id)])).code).toBe(0)
    const wrong = await viaStdin(['account', 'get', String(id)], '7T:not-the-ticket')
    expect(wrong.code).toBe(4)
    expect(wrong.stdout).not.toContain('not-the-ticket')
    // A forgotten id is a usage error; the piped ticket is not taken for it, nor echoed.
    const noId = await viaStdin(['account', 'get'])
    expect(noId.code).toBe(2)
    expect(noId.stdout + noId.stderr).not.toContain(sandbox.current.demoTicket)
    const res = await viaStdin(['account', 'delete', String(id), '--yes'])
    expect(res.code, res.stderr).toBe(0)
    expect(sandbox.current.accounts().some((a) => a.emailAccountId === id)).toBe(false)
  })

  it('account delete --from and account export use it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'soemail-stdin-'))
    const ids = [await createdId(2), await createdId(3)]
    const exported = await runCli(['account', 'export', '--ids', ids.join(','), '--url', sandbox.current.url, '--ticket-stdin'], {input: `${sandbox.current.demoTicket}\n`})
    expect(exported.code, exported.stderr).toBe(0)
    expect(exported.stdout).toContain('stdin2@example.com')
    const idsFile = writeCsv(join(dir, 'ids.csv'), ids.map(String), 'id')
    const res = await viaStdin(['account', 'delete', '--from', idsFile, '--yes'])
    expect(res.code, res.stderr).toBe(0)
    expect(sandbox.current.accounts().some((a) => ids.includes(a.emailAccountId ?? 0))).toBe(false)
  })

  it('account import (and --dry-run) use it; a CSV on standard input cannot share it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'soemail-stdin-'))
    const file = writeCsv(join(dir, 'in.csv'), [createRow(3400)])
    const plan = await viaStdin(['account', 'import', file, '--dry-run'])
    expect(plan.code, plan.stderr).toBe(0)
    const res = await viaStdin(['account', 'import', file])
    expect(res.code, res.stderr).toBe(0)
    expect(sandbox.current.accounts().some((a) => a.emailAddress === 'user3400@example.com')).toBe(true)
    const clash = await viaStdin(['account', 'import', '-'])
    expect(clash.code).toBe(2)
    expect(clash.stdout).toMatch(/--ticket-stdin cannot be used when the CSV comes from standard input/)
  })
})
