import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {assertValid} from '../../src/accounts/service.js'
import {parseIdList, readIdsFile} from '../../src/bulk/ids.js'
import {parseAccountId} from '../../src/model/account-fields.js'
import {inputFromFlags, stdinFlagsInOrder} from '../../src/accounts/from-flags.js'
import type {AccountInput} from '../../src/accounts/input.js'
import {accountForCreate, diffAccounts, mergeAccount} from '../../src/accounts/merge.js'
import {missingForCreate, validateInput} from '../../src/accounts/validate.js'
import {janeDoe} from '../helpers/accounts.js'

const empty = (): AccountInput => ({imap: {}, smtp: {}})

// Jane Doe's stored account (the one shared fixture), with ids as an update finds them.
const stored = janeDoe({ids: [42, 7, 8]})

describe('validation before anything is sent', () => {
  it('reports every problem at once, naming the flags', () => {
    const problems = validateInput({email: 'not-an-address', associateId: 0, imap: {port: 0, server: 'has space'}, smtp: {port: 70000, username: 'x'.repeat(257)}})
    expect(problems.map((p) => p.field).sort()).toEqual(['--associate', '--email', '--imap-port', '--imap-server', '--smtp-port', '--smtp-username'])
    expect(problems.find((p) => p.field === '--smtp-username')?.message).toContain('257 characters')
  })

  it('accepts 256-character values, Norwegian letters and ports at the edges', () => {
    const input: AccountInput = {email: 'blåbær@eksempel.no', associateId: 1, imap: {port: 1, username: 'ø'.repeat(256)}, smtp: {port: 65535, password: 'æøå <&> ]]>'}}
    expect(validateInput(input)).toEqual([])
  })

  it('refuses characters XML cannot carry, naming the field', () => {
    const problems = validateInput({...empty(), imap: {password: 'a\u0001b'}})
    expect(problems).toEqual([{field: '--imap-password', message: expect.stringContaining('U+0001')}])
  })

  it('lists what a create still needs; OAuth needs no password', () => {
    expect(missingForCreate(empty())).toEqual([
      '--email',
      '--associate',
      '--imap-server',
      '--imap-password (or --imap-password-stdin)',
      '--smtp-server',
      '--smtp-password (or --smtp-password-stdin)',
    ])
    expect(missingForCreate({email: 'a@b.no', associateId: 1, imap: {server: 'i', authType: 'OAuth2'}, smtp: {server: 's', password: 'p'}})).toEqual([])
  })
})

describe('create and update', () => {
  it('a create defaults user names to the address and ports to 993/587', () => {
    const account = accountForCreate({email: 'jane@example.com', associateId: 5, imap: {server: 'i'}, smtp: {server: 's', port: 465}})
    expect(account).toMatchObject({emailAccountId: 0, incoming: {serviceAuthId: 0, port: 993, username: 'jane@example.com'}, outgoing: {port: 465, username: 'jane@example.com'}})
  })

  it('update keeps fields it does not mention', () => {
    const merged = mergeAccount(stored, {...empty(), imap: {server: 'outlook.office365.com'}})
    expect(merged).toEqual({...stored, incoming: {...stored.incoming, server: 'outlook.office365.com'}})
  })

  it('diff names changed fields and shows passwords only as changed', () => {
    const merged = mergeAccount(stored, {...empty(), email: 'j@example.com', smtp: {password: 'new-out', port: 465}})
    const changes = diffAccounts(stored, merged)
    expect(changes).toEqual([
      {field: 'email', from: 'jane.doe@example.com', to: 'j@example.com'},
      {field: 'smtp-port', from: 587, to: 465},
      {field: 'smtp-password', secret: true},
    ])
    expect(JSON.stringify(changes)).not.toContain('new-out')
    expect(JSON.stringify(changes)).not.toContain('out-secret')
  })

  it('an update to the same values is no change', () => {
    expect(diffAccounts(stored, mergeAccount(stored, {...empty(), imap: {server: 'imap.example.com', password: 'in-secret'}}))).toEqual([])
  })
})

describe('input from flags', () => {
  it('takes passwords from the flag, else stdin, else the environment', () => {
    const secrets = new Map([['--smtp-password-stdin', 'from-stdin']])
    const env = {SOEMAIL_IMAP_PASSWORD: 'from-env', SOEMAIL_SMTP_PASSWORD: 'env-smtp'}
    expect(inputFromFlags({}, secrets, env)).toMatchObject({imap: {password: 'from-env'}, smtp: {password: 'from-stdin'}})
    expect(inputFromFlags({'imap-password': 'flag'}, secrets, env).imap.password).toBe('flag')
  })

  it('reads stdin lines in a fixed order: ticket, IMAP, SMTP', () => {
    expect(stdinFlagsInOrder({'smtp-password-stdin': true, 'ticket-stdin': true, 'imap-password-stdin': true})).toEqual(['--ticket-stdin', '--imap-password-stdin', '--smtp-password-stdin'])
    expect(stdinFlagsInOrder({'smtp-password-stdin': true})).toEqual(['--smtp-password-stdin'])
  })
})

describe('one account-id rule for arguments, flags, cells and id files', () => {
  const RULE = 'an account id is a whole number from 1 to 2147483647'

  it('takes 1 to 2147483647 written as digits, and nothing else', () => {
    expect(['1', ' 42 ', '2147483647'].map(parseAccountId)).toEqual([1, 42, 2147483647])
    for (const bad of ['0', '-1', '2147483648', '3000000000', 'abc', '', '1e3', '+5', '4.0', '0x10']) expect(parseAccountId(bad), bad).toBeUndefined()
  })

  it('save --id and the id files say the same', () => {
    expect(() => assertValid({imap: {}, smtp: {}}, 0)).toThrow(`--id is 0; ${RULE}`)
    expect(() => parseIdList('4, 5,x', '--ids')).toThrow(`an id in --ids is "x"; ${RULE}`)
    const dir = mkdtempSync(join(tmpdir(), 'soemail-ids-'))
    try {
      writeFileSync(join(dir, 'ids.txt'), '# undo\n12\n3000000000\n')
      expect(() => readIdsFile(join(dir, 'ids.txt'))).toThrow(`${join(dir, 'ids.txt')} line 3: id is 3000000000; ${RULE}`)
      writeFileSync(join(dir, 'results.csv'), 'line,account_id,status\n2,7,ok\n3,-7,ok\n')
      expect(() => readIdsFile(join(dir, 'results.csv'))).toThrow(`${join(dir, 'results.csv')} line 3, column account_id: account_id is "-7"; ${RULE}`)
      writeFileSync(join(dir, 'created.csv'), 'id,email\n7,a@b.no\n8,c@d.no\n')
      expect(readIdsFile(join(dir, 'created.csv'))).toEqual([7, 8])
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })
})
