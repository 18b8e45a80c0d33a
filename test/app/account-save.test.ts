import {describe, expect, it} from 'vitest'
import {runAccountSave} from '../../src/app/account-save.js'
import {AuthError, CancelledError, UsageError, ValidationError} from '../../src/errors.js'
import {freshTicket, useSandbox} from '../helpers/sandbox.js'
import {NO_FLAGS, useWorlds} from '../helpers/world.js'

const sandbox = useSandbox()
const world = useWorlds(sandbox)

const create = {...NO_FLAGS, email: 'jane.doe@example.com', associate: 5, 'imap-server': 'imap.example.com', 'smtp-server': 'smtp.example.com', 'imap-password-stdin': true, 'smtp-password-stdin': true}

/** A new account each time: without --create-new a second save of Jane's address would update the first. */
const createNew = {...create, 'create-new': true}

async function created(): Promise<number> {
  const result = (await runAccountSave(createNew, world({stdin: 'in-secret\nout-secret\n'}))) as {account: {id: number}}
  return result.account.id
}

const acted = () => sandbox.current.stats().acted
const saves = () => sandbox.current.stats().byOperation.SaveEMailAccount ?? 0

describe('runAccountSave', () => {
  it('creates from options and stdin passwords, and never writes the passwords', async () => {
    const w = world({stdin: 'in-secret\nout-secret\n'})
    const result = (await runAccountSave(create, w)) as {action: string; account: {id: number; imap: {password: string}}}
    expect(result).toMatchObject({action: 'created', account: {imap: {password: '********'}}})
    expect(w.stdout.text()).toContain(`Created account ${result.account.id} for jane.doe@example.com`)
    expect(w.stdout.text() + w.stderr.text()).not.toMatch(/in-secret|out-secret/)
    const stored = sandbox.current.accounts().find((a) => a.emailAccountId === result.account.id)
    expect(stored?.incoming).toMatchObject({server: 'imap.example.com', port: 993, username: 'jane.doe@example.com', password: 'in-secret'})
  })

  it('--json leaves the text out and returns the result', async () => {
    const w = world({stdin: 'a\nb\n', json: true})
    expect(await runAccountSave(createNew, w)).toMatchObject({action: 'created', changes: []})
    expect(w.stdout.text()).toBe('')
    expect(w.stderr.text()).toBe('')
  })

  it('update keeps fields it does not mention', async () => {
    const id = await created()
    const result = await runAccountSave({...NO_FLAGS, id, 'imap-server': 'imap.one.com', 'smtp-port': 465}, world())
    expect(result).toMatchObject({action: 'updated', changes: [{field: 'imap-server'}, {field: 'smtp-port', from: 587, to: 465}]})
    expect(sandbox.current.accounts().find((a) => a.emailAccountId === id)).toMatchObject({
      emailAddress: 'jane.doe@example.com',
      associateId: 5,
      incoming: {server: 'imap.one.com', port: 993, username: 'jane.doe@example.com', password: 'in-secret'},
      outgoing: {server: 'smtp.example.com', port: 465, password: 'out-secret'},
    })
  })

  it('an update that changes nothing is not sent', async () => {
    const id = await created()
    const [actedBefore, savesBefore] = [acted(), saves()]
    const w = world()
    expect(await runAccountSave({...NO_FLAGS, id, 'imap-server': 'imap.example.com', 'smtp-port': 587}, w)).toMatchObject({action: 'unchanged', changes: []})
    expect(w.stdout.text()).toContain('nothing was sent')
    expect(saves()).toBe(savesBefore)
    expect(acted()).toBe(actedBefore)
  })

  it('never prompts when not on a terminal: missing fields are a usage error naming each flag', async () => {
    const w = world()
    const error = await runAccountSave({...NO_FLAGS, email: 'x@example.com'}, w).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(UsageError)
    expect((error as UsageError).message).toMatch(/missing .*--associate.*--imap-server/)
    expect(w.prompter.asked).toEqual([])
  })

  it('invalid values fail validation before anything is sent', async () => {
    const before = sandbox.current.stats().requests
    const error = await runAccountSave({...create, 'imap-port': 70000, 'imap-password-stdin': false, 'smtp-password-stdin': false}, world()).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ValidationError)
    expect(sandbox.current.stats().requests).toBe(before)
  })

  it('on a terminal asks for what is missing, shows a summary, and sends nothing when declined', async () => {
    const before = acted()
    const w = world({interactive: true, answers: {confirm: [false], accountFields: (given) => ({...given, associateId: 5, imap: {...given.imap, server: 'imap.example.com', port: 993, username: 'u', password: 'p1'}, smtp: {...given.smtp, server: 'smtp.example.com', port: 587, username: 'u', password: 'p2'}})}})
    const error = await runAccountSave({...NO_FLAGS, email: 'ask@example.com'}, w).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(CancelledError)
    expect(w.prompter.asked).toEqual(['account fields', 'Create this account?'])
    expect(w.stderr.text()).toContain('imap.example.com')
    expect(w.stderr.text()).not.toMatch(/p1|p2/)
    expect(acted()).toBe(before)
  })

  it('on a terminal creates after the user confirms; --yes skips the question', async () => {
    const w = world({interactive: true, stdin: 'a\nb\n', answers: {confirm: [true]}})
    expect(await runAccountSave(createNew, w)).toMatchObject({action: 'created'})
    const quiet = world({interactive: true, stdin: 'a\nb\n'})
    expect(await runAccountSave({...createNew, yes: true}, quiet)).toMatchObject({action: 'created'})
    expect(quiet.prompter.asked).toEqual([])
  })

  it('a rejected ticket is an AuthError; with SOEMAIL_USERNAME/PASSWORD it logs in again once and goes on', async () => {
    const id = await created()
    const ticket = await freshTicket(sandbox.current.url)
    sandbox.current.expireTickets()
    const rejected = await runAccountSave({...NO_FLAGS, id, 'imap-port': 143}, world({env: {SOEMAIL_TICKET: ticket}})).catch((e: unknown) => e)
    expect(rejected).toBeInstanceOf(AuthError)
    expect((rejected as AuthError).code).toBe('TICKET_REJECTED')
    const w = world({env: {SOEMAIL_TICKET: ticket, SOEMAIL_USERNAME: 'demo', SOEMAIL_PASSWORD: 'demo'}})
    expect(await runAccountSave({...NO_FLAGS, id, 'imap-port': 143}, w)).toMatchObject({action: 'updated'})
    expect(w.stderr.text()).toContain('logged in again (as demo from SOEMAIL_USERNAME)')
    expect(w.stderr.text()).not.toContain('demo\n')
  })
})
