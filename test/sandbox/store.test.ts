import {describe, expect, it} from 'vitest'
import {emptyState, SandboxStore, type StoreState} from '../../src/sandbox/store.js'
import {plainAccount} from '../helpers/accounts.js'

const quiet = {changed: () => {}, touched: () => {}}
const store = (state: StoreState = emptyState()) => new SandboxStore(state, quiet)
const idOf = (s: SandboxStore, associateId: number, address: string) => s.findAccountByAddress(associateId, address)?.emailAccountId

describe('SandboxStore.findAccountByAddress', () => {
  it("finds the associate's account by address, trimmed and in any case; not another associate's", () => {
    const s = store()
    const id = s.putAccount(plainAccount(' Kari@Example.no ', 5)).emailAccountId
    s.putAccount(plainAccount('kari@example.no', 7))
    expect(idOf(s, 5, 'kari@EXAMPLE.no')).toBe(id)
    expect(idOf(s, 5, '  kari@example.no')).toBe(id)
    expect(idOf(s, 6, 'kari@example.no')).toBeUndefined()
    expect(idOf(s, 5, 'ola@example.no')).toBeUndefined()
  })

  it('of several accounts with one address, finds the first stored, also after it was updated; after it is deleted, the next', () => {
    const s = store()
    const first = s.putAccount(plainAccount('kari@example.no', 5)).emailAccountId!
    const second = s.putAccount(plainAccount('KARI@example.no', 5)).emailAccountId!
    s.putAccount({...plainAccount('kari@example.no', 5), accountStatus: 2}, first)
    expect(idOf(s, 5, 'kari@example.no')).toBe(first)
    expect(s.deleteAccount(first)).toBe(true)
    expect(idOf(s, 5, 'kari@example.no')).toBe(second)
    s.deleteAccount(second)
    expect(idOf(s, 5, 'kari@example.no')).toBeUndefined()
  })

  it('follows an update to another address or another associate', () => {
    const s = store()
    const id = s.putAccount(plainAccount('kari@example.no', 5)).emailAccountId!
    s.putAccount(plainAccount('kari.nordmann@example.no', 5), id)
    expect(idOf(s, 5, 'kari@example.no')).toBeUndefined()
    expect(idOf(s, 5, 'kari.nordmann@example.no')).toBe(id)
    s.putAccount(plainAccount('kari.nordmann@example.no', 8), id)
    expect(idOf(s, 5, 'kari.nordmann@example.no')).toBeUndefined()
    expect(idOf(s, 8, 'kari.nordmann@example.no')).toBe(id)
  })

  it('finds the accounts of a loaded data file, first stored first, and answers with a copy', () => {
    const s = store({
      ...emptyState(),
      nextAccountId: 10,
      accounts: [
        {...plainAccount('ola@example.no', 5), emailAccountId: 9},
        {...plainAccount('ola@example.no', 5), emailAccountId: 3},
      ],
    })
    expect(idOf(s, 5, 'ola@example.no')).toBe(9)
    const found = s.findAccountByAddress(5, 'ola@example.no')!
    found.emailAddress = 'changed@example.no'
    expect(idOf(s, 5, 'ola@example.no')).toBe(9)
    expect(s.getAccount(9)?.emailAddress).toBe('ola@example.no')
  })
})
