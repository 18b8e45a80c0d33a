/** The config-v1.1.xml reader: what an IMAP + SMTP account needs, nothing unsafe. */
import {describe, expect, it} from 'vitest'
import {parseAutoconfig} from '../../src/providers/autoconfig.js'
import {chooseSrv} from '../../src/providers/srv.js'
import {clientConfig} from '../helpers/autoconfig-server.js'

describe('parseAutoconfig', () => {
  it('reads the IMAP and SMTP servers, passing over POP3, with %EMAILDOMAIN% filled in', () => {
    const xml = clientConfig('example.no', {host: 'imap.%EMAILDOMAIN%', port: 993, socket: 'SSL', user: '%EMAILLOCALPART%'}, {host: 'smtp.example.no', port: 587, socket: 'STARTTLS'})
    expect(parseAutoconfig(xml, 'example.no')).toEqual({
      displayName: 'example.no mail',
      incoming: {host: 'imap.example.no', port: 993, security: 'tls', userName: 'local-part', authentication: ['password-cleartext']},
      outgoing: {host: 'smtp.example.no', port: 587, security: 'starttls', userName: 'address', authentication: ['password-cleartext']},
    })
  })

  it('leaves out a server without TLS: it would send the password in clear', () => {
    const xml = clientConfig('example.no', {host: 'imap.example.no', port: 143, socket: 'plain'}, {host: 'smtp.example.no', port: 25, socket: 'plain'})
    expect(parseAutoconfig(xml, 'example.no')).toMatchObject({incoming: undefined, outgoing: undefined})
  })

  it('a fixed user name is a mailbox user soemail cannot derive', () => {
    const xml = clientConfig('example.no', {host: 'imap.example.no', port: 993, socket: 'SSL', user: 'mailbox1'})
    expect(parseAutoconfig(xml, 'example.no').incoming?.userName).toBe('mailbox-user')
  })

  it('refuses what is not an autoconfig file, and a document type declaration (entity expansion)', () => {
    expect(() => parseAutoconfig('<html><body>hi</body></html>', 'example.no')).toThrow(/not an autoconfig file/)
    expect(() => parseAutoconfig('<!DOCTYPE x [<!ENTITY a "aaaa">]><clientConfig/>', 'example.no')).toThrow(/document type/)
  })
})

describe('chooseSrv', () => {
  const r = (name: string, priority: number, weight: number, port = 993) => ({name, port, priority, weight})
  it('lowest priority first, then highest weight', () => {
    expect(chooseSrv([r('b', 10, 100), r('c', 0, 1), r('a', 0, 7)])).toEqual({offered: true, host: 'a', port: 993})
  })
  it('a target of "." (an empty name) means not offered', () => {
    expect(chooseSrv([r('', 0, 0, 0)])).toEqual({offered: false, reason: 'target "." (not offered)'})
    expect(chooseSrv([])).toEqual({offered: false, reason: 'no record'})
  })
})
