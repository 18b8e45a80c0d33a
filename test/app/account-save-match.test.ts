import {describe, expect, it} from 'vitest'
import {runAccountSave} from '../../src/app/account-save.js'
import {ValidationError} from '../../src/errors.js'
import {useSandbox} from '../helpers/sandbox.js'
import {wideDirectory} from '../helpers/users.js'
import {NO_FLAGS, useWorlds} from '../helpers/world.js'

const sandbox = useSandbox({users: wideDirectory()})
const world = useWorlds(sandbox)

const kari = (associate: number, extra: Record<string, unknown> = {}) => ({
  ...NO_FLAGS,
  email: 'kari@example.no',
  associate,
  'imap-server': 'imap.example.no',
  'smtp-server': 'smtp.example.no',
  'imap-password': 'in-secret',
  'smtp-password': 'out-secret',
  ...extra,
})
const saves = () => sandbox.current.stats().byOperation.SaveEMailAccount ?? 0
const acted = () => sandbox.current.stats().acted
const stored = (associateId: number) => sandbox.current.accounts().filter((a) => a.associateId === associateId && a.emailAddress?.toLowerCase() === 'kari@example.no')

describe('account save without --id finds the existing account by associate and e-mail address', () => {
  it('a second save updates the first account and says which it matched; the same values again send nothing', async () => {
    const first = (await runAccountSave(kari(12), world())) as {action: string; account: {id: number}}
    expect(first.action).toBe('created')
    const id = first.account.id

    const w = world()
    const second = await runAccountSave(kari(12, {email: 'Kari@Example.NO', 'imap-port': 143}), w)
    expect(second).toMatchObject({action: 'updated', account: {id}, matched: {associateId: 12}})
    expect(w.stdout.text()).toContain(`Updated #${id} (matched Kari@Example.NO for kari)`)
    expect(stored(12)).toHaveLength(1)

    const [savesBefore, actedBefore] = [saves(), acted()]
    const same = world()
    expect(await runAccountSave(kari(12, {email: 'Kari@Example.NO', 'imap-port': 143}), same)).toMatchObject({action: 'unchanged', account: {id}})
    expect(same.stdout.text()).toContain(`Account #${id} (matched Kari@Example.NO for kari) already has these values; nothing was sent`)
    expect([saves(), acted()]).toEqual([savesBefore, actedBefore])
  })

  it('the same address for another associate is another account', async () => {
    await runAccountSave(kari(13), world())
    expect(stored(13)).toHaveLength(1)
    expect(stored(12)).toHaveLength(1)
  })

  it('--create-new creates another account; then the address is ambiguous and a save without --id is refused (exit 3), naming both', async () => {
    const extra = (await runAccountSave(kari(13, {'create-new': true}), world())) as {action: string; account: {id: number}}
    expect(extra.action).toBe('created')
    const ids = stored(13).map((a) => a.emailAccountId)
    expect(ids).toHaveLength(2)
    const before = saves()
    const error = await runAccountSave(kari(13), world()).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ValidationError)
    expect((error as ValidationError).exitCode).toBe(3)
    expect((error as ValidationError).message).toContain(`2 accounts (#${ids[0]}, #${ids[1]}) already exist for kari@example.no for associate 13`)
    expect((error as ValidationError).hint).toMatch(/--id .*--create-new/)
    expect(saves()).toBe(before)
  })

  it('--create-new and --id together are a usage error', async () => {
    const error = await runAccountSave(kari(12, {'create-new': true, id: 1}), world()).catch((e: unknown) => e)
    expect((error as {exitCode: number}).exitCode).toBe(2)
  })

  it('on a terminal the confirmation says the account exists and will be updated', async () => {
    const w = world({interactive: true, answers: {confirm: [true]}})
    expect(await runAccountSave(kari(12, {'imap-port': 993}), w)).toMatchObject({action: 'updated'})
    expect(w.prompter.asked).toEqual(['Save these changes?'])
    expect(w.stderr.text()).toMatch(/An account already exists: updating #\d+ \(matched kari@example.no for kari\)/)
  })
})
