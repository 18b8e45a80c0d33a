import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {ACCOUNT_FIELDS, CREDENTIALS, WIRE_SEQUENCE} from '../src/model/account-fields.js'
import {EMAIL_ACCOUNT_FIELDS, SERVICE_AUTH_FIELDS} from '../src/soap/account-model.js'
import {ROOT} from './helpers/cli.js'

/** The element names of a complexType's own sequence in an XSD (the Carrier base's members come from the base). */
function xsdSequence(xsd: string, type: string): string[] {
  const start = xsd.indexOf(`<xs:complexType name="${type}">`)
  expect(start, `${type} in the XSD`).toBeGreaterThan(-1)
  const body = xsd.slice(start, xsd.indexOf('</xs:complexType>', start))
  const sequence = body.slice(body.indexOf('<xs:sequence>'), body.indexOf('</xs:sequence>'))
  return [...sequence.matchAll(/<xs:element\b[^>]*\bname="([^"]+)"/g)].map((m) => m[1] as string)
}

const xsd = readFileSync(join(ROOT, 'schemas', 'xsd', 'email-services87.xsd'), 'utf8')

describe('the field catalogue owns the wire order', () => {
  it('its sequences are the XSD sequences of EMailAccount and ServiceAuth', () => {
    expect(WIRE_SEQUENCE.EMailAccount).toEqual(xsdSequence(xsd, 'EMailAccount'))
    expect(WIRE_SEQUENCE.ServiceAuth).toEqual(xsdSequence(xsd, 'ServiceAuth'))
  })

  it('the wire tables src/soap reads follow those sequences, one catalogue field per element', () => {
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
