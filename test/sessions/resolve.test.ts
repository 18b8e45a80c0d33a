import {describe, expect, it} from 'vitest'
import {requireConnection, resolveConnection} from '../../src/sessions/resolve.js'
import {AuthError, UsageError} from '../../src/errors.js'

describe('connection settings resolve flag > environment > profile', () => {
  const profile = {name: 'prod', url: 'https://profile.example.com/SuperOffice', apiVersion: '86', ticket: {value: 'T-keychain', source: 'keychain' as const}}

  it('a flag beats the environment, which beats the profile', () => {
    const env = {SOEMAIL_URL: 'https://env.example.com/SuperOffice', SOEMAIL_TICKET: 'T-env'}
    const s = resolveConnection({url: 'https://flag.example.com/SuperOffice'}, env, undefined, profile)
    expect(s.url).toEqual({value: 'https://flag.example.com/SuperOffice', source: 'flag'})
    expect(s.ticket).toEqual({value: 'T-env', source: 'env'})
    expect(s.apiVersion).toEqual({value: '86', source: 'profile'})
    expect(resolveConnection({}, {}, undefined, profile).ticket).toEqual({value: 'T-keychain', source: 'keychain'})
  })

  it('a ticket on stdin beats everything, and the version defaults to 87', () => {
    const s = resolveConnection({ticket: 'T-flag'}, {SOEMAIL_TICKET: 'T-env'}, 'T-stdin')
    expect(s.ticket).toEqual({value: 'T-stdin', source: 'stdin'})
    expect(s.apiVersion).toEqual({value: '87', source: 'default'})
  })

  it('a bad version from the environment names the variable', () => {
    expect(() => resolveConnection({}, {SOEMAIL_API_VERSION: '90'})).toThrow(/SOEMAIL_API_VERSION is "90"/)
  })

  it('no URL is a usage error, no ticket an authentication error', () => {
    expect(() => requireConnection(resolveConnection({}, {}))).toThrow(UsageError)
    expect(() => requireConnection(resolveConnection({url: 'http://127.0.0.1:1'}, {}))).toThrow(AuthError)
  })
})
