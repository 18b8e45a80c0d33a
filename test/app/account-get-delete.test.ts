import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {runAccountDelete} from '../../src/app/account-delete.js'
import {runAccountGet} from '../../src/app/account-get.js'
import {CancelledError, CliError, NotFoundError, UsageError} from '../../src/errors.js'
import {useSandbox} from '../helpers/sandbox.js'
import {NO_FLAGS, useWorlds} from '../helpers/world.js'

const sandbox = useSandbox()
const world = useWorlds(sandbox)

async function created(): Promise<number> {
  const {runAccountSave} = await import('../../src/app/account-save.js')
  const flags = {...NO_FLAGS, email: 'get.me@example.com', associate: 5, 'imap-server': 'imap.example.com', 'smtp-server': 'smtp.example.com', 'imap-password': 'in-secret', 'smtp-password': 'out-secret', 'create-new': true}
  return ((await runAccountSave(flags, world())) as {account: {id: number}}).account.id
}

const exists = (id: number) => sandbox.current.accounts().some((a) => a.emailAccountId === id)

describe('runAccountGet', () => {
  it('shows an account with passwords masked unless --show-secrets', async () => {
    const id = await created()
    const w = world()
    expect(await runAccountGet({...NO_FLAGS, id}, w)).toMatchObject({id, email: 'get.me@example.com', imap: {password: '********'}, smtp: {password: '********'}})
    expect(w.stdout.text()).toContain('get.me@example.com')
    expect(w.stdout.text()).not.toContain('in-secret')
    expect(await runAccountGet({...NO_FLAGS, id, 'show-secrets': true}, world())).toMatchObject({imap: {password: 'in-secret'}})
  })

  it('an unknown id is NOT_FOUND, exit 8 (not 7, a server or network error)', async () => {
    const error = await runAccountGet({...NO_FLAGS, id: 999_999}, world()).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(NotFoundError)
    expect((error as NotFoundError).code).toBe('NOT_FOUND')
    expect((error as NotFoundError).exitCode).toBe(8)
    const deleting = await runAccountDelete({...NO_FLAGS, id: 999_999, yes: true}, world()).catch((e: unknown) => e)
    expect((deleting as NotFoundError).exitCode).toBe(8)
  })
})

describe('runAccountDelete', () => {
  it('never prompts when not on a terminal: without --yes it refuses and deletes nothing', async () => {
    const id = await created()
    const w = world()
    const error = await runAccountDelete({...NO_FLAGS, id}, w).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(UsageError)
    expect((error as UsageError).hint).toContain('--yes')
    expect(w.prompter.asked).toEqual([])
    expect(exists(id)).toBe(true)
    expect(await runAccountDelete({...NO_FLAGS, id, yes: true}, world())).toEqual({deleted: true, id, email: 'get.me@example.com'})
    expect(exists(id)).toBe(false)
  })

  it('on a terminal shows what goes and asks first; declining deletes nothing', async () => {
    const id = await created()
    const w = world({interactive: true, answers: {confirm: [false]}})
    expect(await runAccountDelete({...NO_FLAGS, id}, w).catch((e: unknown) => e)).toBeInstanceOf(CancelledError)
    expect(w.prompter.asked).toEqual([`Delete account ${id} (get.me@example.com)?`])
    expect(w.stderr.text()).toContain('get.me@example.com')
    expect(exists(id)).toBe(true)
    await runAccountDelete({...NO_FLAGS, id}, world({interactive: true, answers: {confirm: [true]}}))
    expect(exists(id)).toBe(false)
  })

  it('--from deletes every listed account; ids that do not exist are reported and exit 8', async () => {
    const [a, b] = [await created(), await created()]
    const file = join(world().configDir, 'ids.txt')
    writeFileSync(file, `${a}\n${b}\n999999\n`)
    const w = world()
    const error = await runAccountDelete({...NO_FLAGS, from: file, yes: true}, w).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(CliError)
    expect((error as CliError).exitCode).toBe(8)
    expect((error as CliError).details).toMatchObject({deleted: [a, b], notFound: [999999], failed: []})
    expect(w.stdout.text()).toContain(`Deleted 2 of 3 accounts listed in ${file}.`)
    expect(w.stderr.text()).toContain('account 999999: there is no e-mail account with this id')
    expect(exists(a) || exists(b)).toBe(false)
  })

  it('--from on a terminal reads first and asks with each address and user, and the count', async () => {
    const [a, b] = [await created(), await created()]
    const file = join(world().configDir, 'ids-confirm.txt')
    writeFileSync(file, `${a}\n${b}\n999998\n`)
    const w = world({interactive: true, answers: {confirm: [false]}})
    expect(await runAccountDelete({...NO_FLAGS, from: file}, w).catch((e: unknown) => e)).toBeInstanceOf(CancelledError)
    expect(w.prompter.asked).toEqual(['Delete these 2 accounts?'])
    const shown = w.stderr.text()
    expect(shown).toContain(`Accounts listed in ${file} (2 of 3):`)
    expect(shown).toMatch(new RegExp(`#${a}  get\\.me@example\\.com  \\(user \\S+, associate 5\\)`))
    expect(shown).toContain('1 listed id(s) do not exist and are skipped: 999998')
    expect(exists(a) && exists(b)).toBe(true)
  })
})
