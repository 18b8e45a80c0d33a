/**
 * One trimming rule (trimValue in src/model/account-fields.ts) for `account save` flags and `account
 * import` cells: whitespace around a value is dropped, NBSP and U+2028 included; a password is kept as
 * given. The same table goes through both paths of the built CLI, and both store the same account.
 */
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {trimValue, fieldByName} from '../../src/model/account-fields.js'
import {runCli} from '../helpers/cli.js'
import {useSandbox} from '../helpers/sandbox.js'

const sandbox = useSandbox({schemaCheck: false})
const env = () => ({SOEMAIL_URL: sandbox.current.url, SOEMAIL_TICKET: sandbox.current.demoTicket})

/** Field, the value as a user pastes it, the value stored. `n` keeps the two paths' addresses apart. */
const TABLE = (n: string): Array<[field: string, given: string, stored: string | number]> => [
  ['email', ` trim${n}@example.com\u00a0`, `trim${n}@example.com`],
  ['associate_id', ' 5\t', 5],
  ['imap_server', '  imap.trim.example  ', 'imap.trim.example'],
  ['imap_port', ' 993 ', 993],
  ['imap_username', '\tkari\u00a0', 'kari'],
  ['imap_password', '  pass word  ', '  pass word  '],
  ['smtp_server', '\u00a0smtp.trim.example\u2028', 'smtp.trim.example'],
  ['smtp_port', '\u3000587\u00a0', 587],
  ['smtp_username', '\ufeffkari.n ', 'kari.n'],
  ['smtp_password', '\u00a0pw\u00a0', '\u00a0pw\u00a0'],
]

const stored = (email: string) => {
  const a = sandbox.current.accounts().find((x) => x.emailAddress === email)
  return a && {
    email_address: a.emailAddress,
    associate_id: a.associateId,
    imap: [a.incoming?.server, a.incoming?.port, a.incoming?.username, a.incoming?.password],
    smtp: [a.outgoing?.server, a.outgoing?.port, a.outgoing?.username, a.outgoing?.password],
  }
}

const expected = (n: string) => {
  const v = Object.fromEntries(TABLE(n).map(([f, , s]) => [f, s]))
  return {
    email_address: v.email,
    associate_id: v.associate_id,
    imap: [v.imap_server, v.imap_port, v.imap_username, v.imap_password],
    smtp: [v.smtp_server, v.smtp_port, v.smtp_username, v.smtp_password],
  }
}

describe('one trimming rule for flags and cells', () => {
  it('trimValue trims every non-secret value (NBSP, U+2028, ideographic space, BOM) and keeps secrets verbatim', () => {
    for (const [name, given, want] of TABLE('0')) expect(trimValue(fieldByName(name), given), name).toBe(String(want))
    expect(trimValue(fieldByName('imap_server'), 'a b')).toBe('a b')
  })

  it('account save flags are trimmed as the table says', async () => {
    const args = TABLE('1').flatMap(([name, given]) => [`--${fieldByName(name).flag}`, given])
    const res = await runCli(['account', 'save', ...args, '--yes', '--json'], {env: env()})
    expect(res.code, res.stdout + res.stderr).toBe(0)
    expect(stored('trim1@example.com')).toEqual(expected('1'))
  })

  it('account import cells are trimmed as the table says', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'soemail-trim-'))
    const rows = TABLE('2')
    const file = join(dir, 'trim.csv')
    const quote = (v: string) => `"${v.replaceAll('"', '""')}"`
    writeFileSync(file, `${rows.map(([name]) => fieldByName(name).column).join(',')}\n${rows.map(([, given]) => quote(given)).join(',')}\n`)
    const res = await runCli(['account', 'import', file, '--json'], {env: env()})
    expect(res.code, res.stdout + res.stderr).toBe(0)
    expect(stored('trim2@example.com')).toEqual(expected('2'))
  })
})
