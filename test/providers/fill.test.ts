/** The integrator's seam: empty server fields filled from a preset or a detection, given values kept. */
import {describe, expect, it} from 'vitest'
import type {AccountInput} from '../../src/accounts/input.js'
import {fillServers, policyError, requirePreset, suggestionsFromDetection, suggestionsFromPreset} from '../../src/providers/fill.js'
import {passwordPolicy} from '../../src/providers/policy.js'
import type {Detection} from '../../src/providers/detect.js'

const empty = (): AccountInput => ({email: 'kari@icloud.com', imap: {}, smtp: {}})

describe('fillServers', () => {
  it('fills servers, ports and user names from --provider, in the user-name form of each side', () => {
    const input = empty()
    const filled = fillServers(input, suggestionsFromPreset(requirePreset('icloud'), 'kari@icloud.com'))
    expect(input.imap).toEqual({server: 'imap.mail.me.com', port: 993, username: 'kari'})
    expect(input.smtp).toEqual({server: 'smtp.mail.me.com', port: 587, username: 'kari@icloud.com'})
    expect(filled[0]).toEqual({field: 'imap-server', value: 'imap.mail.me.com', shown: 'imap.mail.me.com:993 (from --provider icloud)'})
  })

  it('keeps what was given; a given other host gets no port or user name from the suggestion', () => {
    const input: AccountInput = {email: 'a@x.no', imap: {server: 'mail.x.no'}, smtp: {server: 'smtp.srv.test', port: 2525}}
    const d = {incoming: {host: 'imap.srv.test', port: 993, security: 'tls', source: 'srv', from: 'SRV _imaps._tcp'}, outgoing: {host: 'smtp.srv.test', port: 587, security: 'starttls', source: 'srv', from: 'SRV _submission._tcp'}} as Detection
    const filled = fillServers(input, suggestionsFromDetection(d, 'a@x.no'))
    expect(input.imap).toEqual({server: 'mail.x.no'})
    expect(input.smtp).toEqual({server: 'smtp.srv.test', port: 2525, username: 'a@x.no'})
    expect(filled).toEqual([{field: 'smtp-username', value: 'a@x.no', shown: 'smtp.srv.test:587 (from SRV _submission._tcp)'}])
  })

  it('leaves a mailbox-user name empty: only the provider knows it', () => {
    const input = empty()
    fillServers(input, suggestionsFromPreset(requirePreset('domeneshop'), 'a@firma.no'))
    expect(input.imap.username).toBeUndefined()
  })
})

describe('requirePreset and policyError', () => {
  it('an unknown or unusable provider is a usage error that lists the names', () => {
    expect(() => requirePreset('hotmale')).toThrow(expect.objectContaining({exitCode: 2, message: 'unknown provider "hotmale"', hint: expect.stringContaining('microsoft365, outlook.com, google')}))
    expect(() => requirePreset('proton')).toThrow(/Proton Mail Bridge/)
  })

  it('a refusal becomes exit 3 with the hint; anything else is no error', () => {
    expect(policyError(passwordPolicy({incoming: 'outlook.office365.com'}))).toMatchObject({exitCode: 3, code: 'OAUTH_ONLY', hint: expect.stringContaining('Sign in with Microsoft')})
    expect(policyError(passwordPolicy({incoming: 'imap.gmail.com'}))).toBeUndefined()
  })
})
