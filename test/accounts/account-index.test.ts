import {performance} from 'node:perf_hooks'
import {afterAll, describe, expect, it} from 'vitest'
import {AccountIndex, callerAssociate} from '../../src/accounts/account-index.js'
import {NetServerClient} from '../../src/soap/client.js'
import {EMailService} from '../../src/soap/email-service.js'
import {SoapTransport} from '../../src/soap/transport.js'
import {useSandbox} from '../helpers/sandbox.js'
import {wideDirectory} from '../helpers/users.js'
import {plainAccount} from '../helpers/accounts.js'

const sandbox = useSandbox({users: wideDirectory()})
const transport = new SoapTransport({timeoutMs: 2_000})
afterAll(() => transport.close())

const email = () => new EMailService(new NetServerClient({baseUrl: sandbox.current.url, version: '87', ticket: sandbox.current.demoTicket}, transport))
const noWait = {sleep: async () => {}, random: () => 0.5}

const account = plainAccount

describe('AccountIndex', () => {
  it('finds existing accounts by associate and address (trimmed, any case); only the associates asked for are read', async () => {
    const svc = email()
    const kari = await svc.saveEMailAccount(account('Kari@Example.no', 12))
    const other = await svc.saveEMailAccount(account('kari@example.no', 13))
    await svc.saveEMailAccount(account('ola@example.no', 14))
    const gets = () => sandbox.current.stats().byOperation.GetEMailAccount ?? 0
    const before = gets()
    const progress: Array<[number, number]> = []
    const index = await AccountIndex.build(svc, {associates: new Set([12, 13]), progress: (d, t) => progress.push([d, t])})
    expect(index.match(12, '  kari@EXAMPLE.no ')).toEqual({kind: 'one', id: kari.emailAccountId})
    expect(index.match(13, 'kari@example.no')).toEqual({kind: 'one', id: other.emailAccountId})
    expect(index.match(12, 'other@example.no')).toEqual({kind: 'none'})
    expect(index.match(14, 'ola@example.no')).toEqual({kind: 'none'})
    expect(gets() - before).toBe(index.size)
    expect(progress.at(-1)).toEqual([index.size, index.size])
  })

  it('two accounts with one key are both named', async () => {
    const svc = email()
    const a = await svc.saveEMailAccount(account('twice@example.no', 21))
    const b = await svc.saveEMailAccount(account('twice@example.no', 21))
    const index = await AccountIndex.build(svc, {associates: new Set([21])})
    expect(index.match(21, 'twice@example.no')).toEqual({kind: 'many', ids: [a.emailAccountId, b.emailAccountId]})
  })

  it('for the caller, GetEMailAccountFromEMailAddress finds an account the ready-to-sync list leaves out', async () => {
    const svc = email()
    const failed = await svc.saveEMailAccount(account('failed.own@example.no', 5))
    sandbox.current.setSyncState(failed.emailAccountId!, {accountStatus: 3})
    const caller = await callerAssociate(svc)
    expect(caller).toBe(5)
    const index = await AccountIndex.build(svc, {associates: new Set([5]), caller})
    expect(index.match(5, 'failed.own@example.no')).toEqual({kind: 'none'})
    expect(await index.find(5, 'failed.own@example.no')).toEqual({kind: 'one', id: failed.emailAccountId})
    // Another user's failed account is beyond reach: the documented limit.
    const theirs = await svc.saveEMailAccount(account('failed.theirs@example.no', 31))
    sandbox.current.setSyncState(theirs.emailAccountId!, {accountStatus: 3})
    expect(await (await AccountIndex.build(svc, {associates: new Set([31]), caller})).find(31, 'failed.theirs@example.no')).toEqual({kind: 'none'})
  })

  it('a lookup after a lost answer reads the list again and finds an account created since the index was built', async () => {
    const svc = email()
    const index = await AccountIndex.build(svc, {associates: new Set([41])})
    const created = await svc.saveEMailAccount(account('lost@example.no', 41))
    expect(index.match(41, 'lost@example.no')).toEqual({kind: 'none'})
    const lists = () => sandbox.current.stats().byOperation.GetReadySyncEmailAccounts ?? 0
    const before = lists()
    // Rows that ask together share one read of the list.
    const lostAt = performance.now()
    const [one, two] = await Promise.all([index.lookup(41, 'lost@example.no', lostAt), index.lookup(41, 'never@example.no', lostAt)])
    expect(one).toEqual({kind: 'one', id: created.emailAccountId})
    expect(two).toEqual({kind: 'none'})
    expect(lists() - before).toBe(1)
  })

  it('reads are repeated through a flaky server', async () => {
    const svc = email()
    const kept = await svc.saveEMailAccount(account('kept@example.no', 51))
    sandbox.current.setFaults({seed: 3, rates: {serverError: 0.3, resetAfter: 0.2}, operations: ['GetReadySyncEmailAccounts', 'GetEMailAccount']})
    try {
      const index = await AccountIndex.build(svc, {associates: new Set([51]), retries: 10, ...noWait})
      expect(index.match(51, 'kept@example.no')).toEqual({kind: 'one', id: kept.emailAccountId})
    } finally {
      sandbox.current.setFaults(undefined)
    }
  })

  it('a list that cannot be read is an error, not an empty index', async () => {
    const bad = new EMailService(new NetServerClient({baseUrl: sandbox.current.url, version: '87', ticket: '7T:bm90LWlzc3VlZA=='}, transport))
    await expect(AccountIndex.build(bad, noWait)).rejects.toThrow(/ticket/i)
  })
})
