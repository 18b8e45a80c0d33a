import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {ACCOUNT_FIELDS, CREDENTIALS, CSV_COLUMNS, FLAG_FIELDS, WIRE_SEQUENCE} from '../../src/model/account-fields.js'
import {emailAccountFields, SERVICE_AUTH_FIELDS} from '../../src/soap/account-model.js'
import {API_VERSIONS} from '../../src/soap/versions.js'
import {ROOT} from '../helpers/cli.js'

/** The element names of a complexType's own sequence in an XSD (the Carrier base's members come from the base). */
function xsdSequence(xsd: string, type: string): string[] {
  const start = xsd.indexOf(`<xs:complexType name="${type}">`)
  expect(start, `${type} in the XSD`).toBeGreaterThan(-1)
  const body = xsd.slice(start, xsd.indexOf('</xs:complexType>', start))
  const sequence = body.slice(body.indexOf('<xs:sequence>'), body.indexOf('</xs:sequence>'))
  return [...sequence.matchAll(/<xs:element\b[^>]*\bname="([^"]+)"/g)].map((m) => m[1] as string)
}

const xsd = readFileSync(join(ROOT, 'schemas', 'xsd', 'email-services87.xsd'), 'utf8')
// Services88 as published in 2026 (extracted from the 2026 WSDL); 86 uses the 87 file with its token replaced.
const xsd88 = readFileSync(join(ROOT, 'schemas', 'xsd', 'email-services88.xsd'), 'utf8')
const xsdOf = (version: string) => (version === '88' ? xsd88 : xsd)

describe('the field catalogue owns the wire order', () => {
  it('its sequences are the newest XSD sequences of EMailAccount and ServiceAuth', () => {
    expect(WIRE_SEQUENCE.EMailAccount).toEqual(xsdSequence(xsd88, 'EMailAccount'))
    expect(WIRE_SEQUENCE.ServiceAuth).toEqual(xsdSequence(xsd88, 'ServiceAuth'))
    expect(xsdSequence(xsd88, 'ServiceAuth')).toEqual(xsdSequence(xsd, 'ServiceAuth'))
  })

  it("each version's wire table is that version's XSD sequence: 86 and 87 end at ErrorReason, 88 has the four 2026 members", () => {
    for (const version of API_VERSIONS) expect(emailAccountFields(version).map((s) => s.element), version).toEqual(xsdSequence(xsdOf(version), 'EMailAccount'))
    expect(emailAccountFields('87').at(-1)?.element).toBe('ErrorReason')
    expect(emailAccountFields('88').slice(-4)).toEqual([
      {element: 'InboxFolder', key: 'inboxFolder', type: 'string'},
      {element: 'SentFolder', key: 'sentFolder', type: 'string'},
      {element: 'SimpleMode', key: 'simpleMode', type: 'short'},
      {element: 'LastFetch', key: 'lastFetch', type: 'dateTime'},
    ])
  })

  it('the 2026 members have the XSD types and nillability the catalogue relies on', () => {
    const decl = (name: string) => new RegExp(`<xs:element minOccurs="0" name="${name}"([^/]*)/>`).exec(xsd88)?.[1] ?? ''
    expect(decl('InboxFolder')).toMatch(/nillable="true" type="xs:string"/)
    expect(decl('SentFolder')).toMatch(/nillable="true" type="xs:string"/)
    expect(decl('SimpleMode')).toMatch(/^ type="xs:short" $/)
    expect(decl('LastFetch')).toMatch(/^ type="xs:dateTime" $/)
  })

  it('the wire tables src/soap reads follow those sequences, one catalogue field per element', () => {
    const EMAIL_ACCOUNT_FIELDS = emailAccountFields('87')
    expect(EMAIL_ACCOUNT_FIELDS.map((s) => s.element)).toEqual(xsdSequence(xsd, 'EMailAccount'))
    expect(SERVICE_AUTH_FIELDS.map((s) => s.element)).toEqual(xsdSequence(xsd, 'ServiceAuth'))
    expect(EMAIL_ACCOUNT_FIELDS).toEqual([
      {element: 'EMailAccountId', key: 'emailAccountId', type: 'int'},
      {element: 'EMailAddress', key: 'emailAddress', type: 'string'},
      {element: 'AssociateId', key: 'associateId', type: 'int'},
      {element: 'IncomingCredentials', key: 'incoming', type: 'ServiceAuth'},
      {element: 'OutgoingCredentials', key: 'outgoing', type: 'ServiceAuth'},
      {element: 'AccountStatus', key: 'accountStatus', type: 'short'},
      {element: 'ErrorCount', key: 'errorCount', type: 'int'},
      {element: 'ErrorReason', key: 'errorReason', type: 'string'},
    ])
    expect(SERVICE_AUTH_FIELDS).toEqual([
      {element: 'ServiceAuthId', key: 'serviceAuthId', type: 'int'},
      {element: 'Server', key: 'server', type: 'string'},
      {element: 'Port', key: 'port', type: 'int'},
      {element: 'AuthType', key: 'authType', type: 'string'},
      {element: 'Username', key: 'username', type: 'string'},
      {element: 'Password', key: 'password', type: 'string'},
    ])
  })

  it('every catalogue field has a wire element in the sequence, and both sides have the same ServiceAuth members', () => {
    for (const field of ACCOUNT_FIELDS) {
      const [head, member] = field.wire.path.split('/') as [string, string | undefined]
      if (member === undefined) expect(WIRE_SEQUENCE.EMailAccount, field.name).toContain(head)
      else {
        expect(CREDENTIALS.find((c) => c.element === head)?.side, field.name).toBe(field.side)
        expect(WIRE_SEQUENCE.ServiceAuth, field.name).toContain(member)
      }
    }
    const members = (side: string) => ACCOUNT_FIELDS.filter((f) => f.side === side).map((f) => [f.wire.path.split('/')[1], f.wire.key, f.wire.type])
    expect(members('smtp')).toEqual(members('imap'))
    expect(new Set(ACCOUNT_FIELDS.map((f) => f.wire.path)).size).toBe(ACCOUNT_FIELDS.length)
  })

  it('names are unique: field, flag, column, aliases and JSON key', () => {
    const unique = (values: Array<string | undefined>) => {
      const defined = values.filter((v): v is string => v !== undefined)
      expect(new Set(defined).size, defined.join(', ')).toBe(defined.length)
    }
    unique(ACCOUNT_FIELDS.map((f) => f.name))
    unique(ACCOUNT_FIELDS.map((f) => f.flag))
    unique(ACCOUNT_FIELDS.flatMap((f) => [f.column, ...(f.aliases ?? [])].map((c) => c?.toLowerCase().replace(/[\s_-]+/g, ''))))
    unique(ACCOUNT_FIELDS.map((f) => (f.side ? `${f.side}.${f.view.json}` : f.view.json)))
    expect(ACCOUNT_FIELDS.map((f) => f.index)).toEqual(ACCOUNT_FIELDS.map((_, i) => i))
  })
})

describe('every name of a field comes from the catalogue', () => {
  it('the account flags of account save are the catalogue flags (secrets with their -stdin and -prompt forms), in catalogue order', async () => {
    const {accountFieldFlags} = await import('../../src/flags.js')
    const expected = FLAG_FIELDS.filter((f) => f.role === 'setting').flatMap((f) => (f.secret ? [f.flag, `${f.flag}-stdin`, `${f.flag}-prompt`] : [f.flag]))
    expect(Object.keys(accountFieldFlags)).toEqual(expected)
    const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as {commands: Record<string, {flags: Record<string, {helpGroup?: string; summary?: string}>}>}
    const save = manifest.commands['account:save']!.flags
    const fieldFlags = Object.entries(save).filter(([, f]) => ['Account', 'IMAP', 'SMTP'].includes(f.helpGroup ?? ''))
    expect(fieldFlags.map(([name]) => name).sort()).toEqual(['id', ...expected].sort())
    for (const field of FLAG_FIELDS) expect(save[field.flag as string]?.summary, field.name).toBe(field.summary)
  })

  it('the CSV columns, export rows and results columns are the catalogue columns', async () => {
    const {accountRow, CSV_FIELDS} = await import('../../src/csv/header.js')
    const {RESULT_COLUMNS} = await import('../../src/bulk/results.js')
    expect(CSV_FIELDS).toEqual(CSV_COLUMNS.map((f) => f.column))
    expect(CSV_FIELDS).toEqual(['id', 'email', 'associate', 'imap_server', 'imap_port', 'imap_auth_type', 'imap_username', 'imap_password', 'smtp_server', 'smtp_port', 'smtp_auth_type', 'smtp_username', 'smtp_password', 'inbox_folder', 'sent_folder', 'simple_mode'])
    const account = {emailAccountId: 3, emailAddress: 'a@b.no', associateId: 4, incoming: {server: 'i', port: 1, authType: 'a', username: 'u', password: 'p'}, outgoing: {server: 's', port: 2, authType: 'b', username: 'v', password: 'q'}}
    expect(accountRow(account, true)).toEqual([3, 'a@b.no', 4, 'i', 1, 'a', 'u', 'p', 's', 2, 'b', 'v', 'q', undefined, undefined, undefined])
    expect(accountRow({...account, inboxFolder: 'INBOX', sentFolder: 'Sent', simpleMode: 1}, false).slice(-3)).toEqual(['INBOX', 'Sent', 1])
    expect(accountRow(account, false)).toEqual([3, 'a@b.no', 4, 'i', 1, 'a', 'u', undefined, 's', 2, 'b', 'v', undefined, undefined, undefined, undefined])
    expect(RESULT_COLUMNS.filter((c) => CSV_FIELDS.includes(c))).toEqual(['email', 'associate'])
    // The results file names the associate twice: the id, and the user name it resolved to.
    expect(RESULT_COLUMNS.slice(0, 4)).toEqual(['line', 'email', 'associate_id', 'associate'])
  })

  it('the views show the catalogue labels and JSON keys, and mask every secret', async () => {
    const {accountView, renderAccount} = await import('../../src/output/account-view.js')
    const account = {emailAccountId: 3, emailAddress: 'a@b.no', associateId: 4, incoming: {serviceAuthId: 1, server: 'i', port: 1, authType: 'a', username: 'u', password: 'p'}, outgoing: {serviceAuthId: 2, server: 's', port: 2, authType: 'b', username: 'v', password: 'q'}, accountStatus: 2, errorCount: 1, errorReason: 'x', inboxFolder: 'INBOX', sentFolder: 'Sent', simpleMode: 1, lastFetch: '2026-02-03T04:05:06'}
    const view = accountView(account) as unknown as Record<string, unknown>
    const keys = (side?: string) => ACCOUNT_FIELDS.filter((f) => f.side === side).map((f) => f.view.json)
    expect(Object.keys(view)).toEqual([...keys().slice(0, 3), 'imap', 'smtp', ...keys().slice(3)])
    for (const side of ['imap', 'smtp']) expect(Object.keys(view[side] as object)).toEqual(keys(side))
    expect(JSON.stringify(view)).not.toMatch(/"p"|"q"/)
    const labels = renderAccount(accountView(account), {bold: (s) => s, dim: (s) => s}).split('\n').map((l) => l.split(/\s{2,}/)[0])
    expect(labels).toEqual(['Account', 'E-mail', 'Associate', 'IMAP server', 'IMAP user', 'IMAP auth', 'IMAP password', 'SMTP server', 'SMTP user', 'SMTP auth', 'SMTP password', 'Inbox folder', 'Sent folder', 'Simple mode', 'Status', 'Last fetch'])
    expect(new Set(labels)).toEqual(new Set(ACCOUNT_FIELDS.map((f) => f.view.label).filter(Boolean)))
  })

  it('diffs and validation messages name fields by their flags', async () => {
    const {diffAccounts} = await import('../../src/accounts/merge.js')
    const {validateInput} = await import('../../src/accounts/validate.js')
    const {setInputValue} = await import('../../src/accounts/input.js')
    const before = {incoming: {port: 1}, outgoing: {password: 'a'}}
    expect(diffAccounts(before, {incoming: {port: 2}, outgoing: {password: 'b'}})).toEqual([
      {field: 'imap-port', from: 1, to: 2},
      {field: 'smtp-password', secret: true},
    ])
    for (const field of FLAG_FIELDS.filter((f) => f.role === 'setting')) {
      const input = {imap: {}, smtp: {}}
      setInputValue(input, field, field.range ? 0 : 'x'.repeat(300))
      const issues = validateInput(input)
      expect(issues.map((p) => p.field), field.name).toEqual([`--${field.flag}`])
      expect(issues[0]?.message.startsWith(`--${field.flag} `), field.name).toBe(true)
    }
  })
})
