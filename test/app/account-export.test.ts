import {readFileSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {runAccountExport} from '../../src/app/account-export.js'
import {runAccountSave} from '../../src/app/account-save.js'
import {CliError, UsageError} from '../../src/errors.js'
import {useSandbox} from '../helpers/sandbox.js'
import {NO_FLAGS, useWorlds} from '../helpers/world.js'

const sandbox = useSandbox()
const useWorld = useWorlds(sandbox)
const world = (json = false) => useWorld({json})

async function created(): Promise<number> {
  const flags = {...NO_FLAGS, email: 'export.me@example.com', associate: 5, 'imap-server': 'imap.example.com', 'smtp-server': 'smtp.example.com', 'imap-password': 'in-secret', 'smtp-password': 'out-secret'}
  return ((await runAccountSave(flags, world())) as {account: {id: number}}).account.id
}

describe('runAccountExport', () => {
  it('writes CSV in the import format to stdout, passwords left empty unless --include-secrets', async () => {
    const id = await created()
    const w = world()
    expect(await runAccountExport({...NO_FLAGS, ids: String(id)}, w)).toBeUndefined()
    expect(w.stdout.text().split('\n')[0]).toMatch(/^id,email,associate,imap_server/)
    expect(w.stdout.text()).toContain(`${id},export.me@example.com,5,imap.example.com`)
    expect(w.stdout.text()).not.toContain('in-secret')
    const secrets = world()
    await runAccountExport({...NO_FLAGS, ids: String(id), 'include-secrets': true}, secrets)
    expect(secrets.stdout.text()).toContain('in-secret')
    expect(secrets.stderr.text()).toContain('Warning: --include-secrets')
  })

  it('--out writes a 0600 file; an id that does not exist exits 8 (not found) and the others are exported', async () => {
    const id = await created()
    const w = world(true)
    const out = join(w.configDir, 'snapshot.csv')
    const error = await runAccountExport({...NO_FLAGS, ids: `${id},999999`, out}, w).catch((e: unknown) => e)
    expect((error as CliError).exitCode).toBe(8)
    expect((error as CliError).code).toBe('NOT_FOUND')
    expect(statSync(out).mode & 0o777).toBe(0o600)
    expect(readFileSync(out, 'utf8')).toContain('export.me@example.com')
    expect(w.stdout.text()).toBe('')
    expect(w.stderr.text()).toContain('account 999999:')
  })

  it('--json without --out: stdout is one JSON document with the rows in it, no CSV before it', async () => {
    const id = await created()
    const w = world(true)
    const result = (await runAccountExport({...NO_FLAGS, ids: String(id)}, w)) as {written: number; rows: Array<Record<string, unknown>>}
    expect(w.stdout.text()).toBe('')
    expect(result.written).toBe(1)
    expect(result.rows).toEqual([expect.objectContaining({id, email: 'export.me@example.com', associate: 5, imap_server: 'imap.example.com'})])
    expect(JSON.stringify(result)).not.toContain('in-secret')
    const out = join(w.configDir, 'json-out.csv')
    expect(await runAccountExport({...NO_FLAGS, ids: String(id), out}, world(true))).toEqual({written: 1, out})
  })

  it('no ids is a usage error', async () => {
    expect(await runAccountExport({...NO_FLAGS}, world()).catch((e: unknown) => e)).toBeInstanceOf(UsageError)
  })
})
