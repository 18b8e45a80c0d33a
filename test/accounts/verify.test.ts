import {describe, expect, it} from 'vitest'
import {connectionInfo, describeVerification, needsVerification, serverName, sidesToVerify, verifyAccount} from '../../src/accounts/verify.js'
import type {EMailAccount} from '../../src/soap/account-model.js'

const stored: EMailAccount = {
  emailAccountId: 7,
  emailAddress: 'jane@example.no',
  incoming: {server: 'imap.example.no', port: 993, username: 'jane', password: 'in-secret'},
  outgoing: {server: 'smtp.example.no', port: 587, username: 'jane', password: 'out-secret'},
}

describe('which saves need a login test', () => {
  it('a create tests both sides', () => {
    expect(sidesToVerify({emailAddress: 'new@example.no', incoming: {server: 'i'}, outgoing: {server: 's'}})).toEqual(['incoming', 'outgoing'])
    expect(sidesToVerify({emailAccountId: 0})).toEqual(['incoming', 'outgoing'])
  })

  it('an update tests each side whose server, port, user name or password changes', () => {
    expect(sidesToVerify({emailAccountId: 7, incoming: {password: 'new-secret'}}, stored)).toEqual(['incoming'])
    expect(sidesToVerify({emailAccountId: 7, outgoing: {port: 465}}, stored)).toEqual(['outgoing'])
    expect(sidesToVerify({emailAccountId: 7, incoming: {server: 'imap2.example.no'}, outgoing: {username: 'j'}}, stored)).toEqual(['incoming', 'outgoing'])
  })

  it('an update that changes nothing of a login, or sets the same values, needs none', () => {
    expect(needsVerification({emailAccountId: 7, emailAddress: 'other@example.no'}, stored)).toBe(false)
    expect(needsVerification({emailAccountId: 7, incoming: {server: 'imap.example.no', port: 993}, outgoing: {authType: 'plain'}}, stored)).toBe(false)
  })

  it('without the stored account, any login member set counts as a change', () => {
    expect(sidesToVerify({emailAccountId: 7, incoming: {port: 993}})).toEqual(['incoming'])
  })
})

describe('EMailConnectionInfo from an account side', () => {
  it('ServerName is host:port; UseSSL on 993 and 465 only (elsewhere the server offers STARTTLS)', () => {
    expect(connectionInfo(stored.incoming ?? {})).toEqual({serverName: 'imap.example.no:993', userName: 'jane', password: 'in-secret', useSsl: true})
    expect(connectionInfo(stored.outgoing ?? {})).toMatchObject({serverName: 'smtp.example.no:587', useSsl: false})
    expect(connectionInfo({server: 'smtp.example.no', port: 465})).toMatchObject({useSsl: true})
  })

  it('an IPv6 literal gets brackets; no port leaves the host alone', () => {
    expect(serverName('::1', 143)).toBe('[::1]:143')
    expect(serverName('imap.example.no', undefined)).toBe('imap.example.no')
  })
})

describe('verifyAccount', () => {
  it('runs both sides at once and reports each', async () => {
    const started: string[] = []
    let release: () => void = () => {}
    const both = new Promise<void>((resolve) => (release = resolve))
    const tester = {
      authenticateIncoming: async () => {
        started.push('in')
        if (started.length === 2) release()
        await both
        return true
      },
      authenticateOutgoing: async () => {
        started.push('out')
        if (started.length === 2) release()
        await both
        return false
      },
    }
    // Each side waits for the other to have started: run one after the other, this would never settle.
    const result = await verifyAccount(tester, stored)
    expect(result.ok).toBe(false)
    expect(result.incoming).toEqual({ok: true})
    expect(result.outgoing.reason).toMatch(/^outgoing \(SMTP\): login as jane@smtp\.example\.no:587 failed/)
    expect(describeVerification(result)).not.toMatch(/secret/)
  })

  it('a side without a server fails without a call; `sides` leaves the others untested', async () => {
    const tester = {authenticateIncoming: async () => true, authenticateOutgoing: async () => true}
    expect((await verifyAccount(tester, {incoming: stored.incoming})).outgoing).toEqual({ok: false, reason: 'outgoing (SMTP): no server to test'})
    expect(await verifyAccount(tester, {incoming: stored.incoming}, ['incoming'])).toEqual({ok: true, incoming: {ok: true}, outgoing: {ok: true, skipped: true}})
  })
})
