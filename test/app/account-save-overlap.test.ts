import {describe, expect, it} from 'vitest'
import {runAccountSave} from '../../src/app/account-save.js'
import {ValidationError} from '../../src/errors.js'
import {useSandbox} from '../helpers/sandbox.js'
import {wideDirectory} from '../helpers/users.js'
import {NO_FLAGS, useWorlds} from '../helpers/world.js'

// A server that takes 300 ms per answer, so that what the client sends together is seen together: the
// gate counts how many requests it worked on at once.
const sandbox = useSandbox({users: wideDirectory(), faults: {latencyMs: 300}, capacity: {limit: 16, queue: 16}})
const world = useWorlds(sandbox)

const flags = (associate: number | string, email: string) => ({
  ...NO_FLAGS,
  email,
  associate,
  'imap-server': 'imap.example.no',
  'smtp-server': 'smtp.example.no',
  'imap-password': 'in-secret',
  'smtp-password': 'out-secret',
})
const peak = () => sandbox.current.stats().capacity!.peakActive

describe('account save with the owner given by id', () => {
  it('reads the owner, the caller and the list of accounts together (one round trip, not three)', async () => {
    const result = await runAccountSave(flags(12, 'overlap@example.no'), world())
    expect(result).toMatchObject({action: 'created', account: {associate: {id: 12}}})
    expect(peak()).toBeGreaterThanOrEqual(3)
  })

  it('an id nobody has is refused before anything is saved, even with its accounts already asked for', async () => {
    const saves = sandbox.current.stats().byOperation.SaveEMailAccount ?? 0
    const error = await runAccountSave(flags(999_999, 'nobody@example.no'), world()).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ValidationError)
    expect((error as ValidationError).message).toContain('--associate')
    expect(sandbox.current.stats().byOperation.SaveEMailAccount ?? 0).toBe(saves)
  })
})
