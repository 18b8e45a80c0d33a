/** Password accounts: Microsoft 365 refused (by server or by MX), app-password providers warned, others allowed. */
import {describe, expect, it} from 'vitest'
import {passwordPolicy} from '../../src/providers/policy.js'

describe('passwordPolicy', () => {
  it('refuses Microsoft 365 servers, saying why and what to do instead', () => {
    const v = passwordPolicy({incoming: 'outlook.office365.com:993', outgoing: 'smtp.office365.com'})
    expect(v).toMatchObject({action: 'refuse', provider: 'microsoft365', code: 'OAUTH_ONLY'})
    if (v.action !== 'refuse') throw new Error('not refused')
    expect(v.message).toMatch(/^the IMAP server outlook\.office365\.com:993 is Microsoft 365 \(Exchange Online\)'s: .*only OAuth \("Sign in with Microsoft"\).*never sync/)
    expect(v.hint).toContain('SuperOffice Inbox with "Sign in with Microsoft"')
    expect(v.hint).toContain('--allow-password-auth')
  })

  it('refuses any *.office365.com host, as Inbox does', () => {
    expect(passwordPolicy({incoming: 'eur.outlook.office365.com'}).action).toBe('refuse')
  })

  it('refuses a custom domain whose MX ends in .mail.protection.outlook.com, whatever the servers are called', () => {
    const v = passwordPolicy({incoming: 'mail.example.no:993'}, ['example-no.mail.protection.outlook.com'])
    expect(v).toMatchObject({action: 'refuse', provider: 'microsoft365'})
    expect(v.action === 'refuse' && v.message).toMatch(/^the domain's MX host example-no\.mail\.protection\.outlook\.com is Microsoft 365/)
  })

  it('does not take a look-alike host for Microsoft 365', () => {
    expect(passwordPolicy({incoming: 'notoffice365.com'}, ['mail.protection.outlook.com.evil.example']).action).toBe('allow')
  })

  it('--allow-password-auth turns the refusal into a warning', () => {
    const v = passwordPolicy({outgoing: 'smtp.office365.com:587'}, [], {allowPasswordAuth: true})
    expect(v).toMatchObject({action: 'warn', provider: 'microsoft365'})
    expect(v.action === 'warn' && v.message).toMatch(/Saving it anyway \(--allow-password-auth\)/)
  })

  it('warns that Google needs an app password, by server or by MX', () => {
    expect(passwordPolicy({incoming: 'imap.gmail.com:993'})).toMatchObject({action: 'warn', provider: 'google', message: expect.stringMatching(/app password/)})
    expect(passwordPolicy({}, ['aspmx.l.google.com'])).toMatchObject({action: 'warn', provider: 'google'})
  })

  it('allows a provider where a password works', () => {
    expect(passwordPolicy({incoming: 'imap.one.com:993', outgoing: 'send.one.com:465'}, ['mx1.one.com'])).toEqual({action: 'allow'})
    expect(passwordPolicy({})).toEqual({action: 'allow'})
  })
})
