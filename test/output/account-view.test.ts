/** The text view says what values mean: a new account's status and an empty auth type are not failures. */
import {describe, expect, it} from 'vitest'
import {accountView, renderAccount} from '../../src/output/account-view.js'
import {janeDoe} from '../helpers/accounts.js'

const plain = {bold: (s: string) => s, dim: (s: string) => s}
const line = (text: string, label: string) => text.split('\n').find((l) => l.startsWith(`${label} `))?.slice(label.length).trim()

describe('the account view in words', () => {
  it('a new account is "Unknown (not fetched yet …)" and an empty auth type is "not set"', () => {
    const account = {...janeDoe({ids: [42, 7, 8]}), accountStatus: 0}
    account.incoming = {...account.incoming, authType: ''}
    const text = renderAccount(accountView(account), plain)
    expect(line(text, 'Status')).toBe('Unknown (not fetched yet: Inbox has not synced it)')
    expect(line(text, 'IMAP auth')).toBe('not set')
    expect(line(text, 'SMTP auth')).toBe('smtp')
  })

  it.each([
    [1, 'Deleted (it no longer syncs)'],
    [2, 'Failing (recent fetches failed; sync keeps trying)'],
    [3, 'Failed (sync has stopped; save working credentials to start it again)'],
    [4, 'Ok (fetching works)'],
  ])('status %i reads %s, with the errors when there are any', (status, shown) => {
    expect(line(renderAccount(accountView({...janeDoe(), accountStatus: status}), plain), 'Status')).toBe(shown)
    const failing = renderAccount(accountView({...janeDoe(), accountStatus: status, errorCount: 3, errorReason: 'login failed'}), plain)
    expect(line(failing, 'Status')).toBe(`${shown}; 3 errors in a row, the last: login failed`)
  })
})
