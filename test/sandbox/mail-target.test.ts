import {describe, expect, it} from 'vitest'
import {isLoopback, MailTargetError, parseServerName, resolveTarget} from '../../src/sandbox/mail-target.js'

describe('where a login test connects, and how (MailKit defaults)', () => {
  it('ports 993 and 465 mean TLS from the first byte even without UseSSL; other ports STARTTLS when offered', async () => {
    expect(await resolveTarget('imap', {serverName: '127.0.0.1:993'}, false)).toMatchObject({port: 993, implicitTls: true})
    expect(await resolveTarget('smtp', {serverName: '127.0.0.1:465'}, false)).toMatchObject({port: 465, implicitTls: true})
    expect(await resolveTarget('imap', {serverName: '127.0.0.1:143'}, false)).toMatchObject({port: 143, implicitTls: false})
    expect(await resolveTarget('smtp', {serverName: '127.0.0.1:587'}, false)).toMatchObject({port: 587, implicitTls: false})
    expect(await resolveTarget('smtp', {serverName: '127.0.0.1:2525', useSsl: true}, false)).toMatchObject({port: 2525, implicitTls: true})
  })

  it('without a port: 143 and 25, or 993 and 465 with UseSSL', async () => {
    expect(await resolveTarget('imap', {serverName: '127.0.0.1'}, false)).toMatchObject({port: 143, implicitTls: false})
    expect(await resolveTarget('imap', {serverName: '127.0.0.1', useSsl: true}, false)).toMatchObject({port: 993, implicitTls: true})
    expect(await resolveTarget('smtp', {serverName: '127.0.0.1'}, false)).toMatchObject({port: 25})
    expect(await resolveTarget('smtp', {serverName: '127.0.0.1', useSsl: true}, false)).toMatchObject({port: 465})
  })

  it('connects to the address it checked; a name is kept for SNI and the certificate', async () => {
    const target = await resolveTarget('imap', {serverName: 'localhost:143'}, false)
    expect(target.host).toBe('localhost')
    expect(isLoopback(target.address)).toBe(true)
  })

  it('outside loopback only when allowed', async () => {
    await expect(resolveTarget('imap', {serverName: '192.0.2.1:993'}, false)).rejects.toThrow(MailTargetError)
    expect(await resolveTarget('imap', {serverName: '192.0.2.1:993'}, true)).toMatchObject({address: '192.0.2.1'})
    expect(isLoopback('127.8.9.10')).toBe(true)
    expect(isLoopback('::ffff:127.0.0.1')).toBe(true)
    expect(isLoopback('10.0.0.1')).toBe(false)
  })

  it('ServerName forms: host, host:port, [v6]:port, a bare v6 literal; nonsense is refused', () => {
    expect(parseServerName('imap.example.no')).toEqual({host: 'imap.example.no', port: undefined})
    expect(parseServerName(' imap.example.no:993 ')).toEqual({host: 'imap.example.no', port: 993})
    expect(parseServerName('[::1]:143')).toEqual({host: '::1', port: 143})
    expect(parseServerName('::1')).toEqual({host: '::1', port: undefined})
    expect(() => parseServerName('')).toThrow(MailTargetError)
    expect(() => parseServerName('imap.example.no:99999')).toThrow(/outside 1\.\.65535/)
    expect(() => parseServerName('a b:1')).toThrow(MailTargetError)
  })
})
