/**
 * The keychain store against the real Secret Service (a throwaway gnome-keyring under
 * scripts/with-keychain.sh), read back independently with secret-tool.
 */
import {randomBytes} from 'node:crypto'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {SecretKind, SecretStore} from '../../src/keychain/secret-store.js'
import {openKeychain} from '../../src/keychain/store.js'
import {REQUIRE_KEYCHAIN, hasCommand, keychainTestGate, removeTempDirs, secretTool} from '../helpers/keychain.js'

const gate = await keychainTestGate()

afterAll(removeTempDirs)
const haveDbusDaemon = hasCommand('dbus-daemon')
const haveGnomeKeyring = hasCommand('dbus-run-session') && hasCommand('gnome-keyring-daemon') && hasCommand('dbus-send')
const haveSecretTool = hasCommand('secret-tool')

describe('SOEMAIL_REQUIRE_KEYCHAIN', () => {
  it.runIf(REQUIRE_KEYCHAIN)('a usable Secret Service is reachable (CI must not skip the keychain cases)', () => {
    expect(gate.reason).toBe('')
    expect(haveDbusDaemon && haveGnomeKeyring && haveSecretTool).toBe(true)
  })
})

describe.skipIf(gate.skip)('keychain against the real Secret Service', () => {
  // Unique per run, so a developer's own keyring (when with-keychain.sh reuses it) is not disturbed.
  const prefix = `soemail-test-${process.pid}-${randomBytes(3).toString('hex')}`
  const used = new Set<string>()
  let store: SecretStore
  const profile = (name: string) => {
    const p = `${prefix}-${name}`
    used.add(p)
    return p
  }
  const lookup = async (p: string, kind: SecretKind = 'ticket') => {
    const r = await secretTool(['lookup', 'service', 'soemail', 'username', `${p}:${kind}`])
    return r.code === 0 ? r.stdout : undefined
  }

  beforeAll(async () => {
    store = await openKeychain()
  })

  afterAll(async () => {
    for (const p of used) for (const kind of ['ticket', 'app-token', 'system-token'] as const) await store?.delete(p, kind).catch(() => undefined)
  })

  it('opens the Secret Service and names it', () => {
    expect(store.kind).toBe('keychain')
    expect(store.location).toMatch(/^Secret Service/)
    if (process.env.SOEMAIL_KEYCHAIN_PROVIDER === 'gnome-keyring') expect(store.location).toBe('Secret Service (gnome-keyring)')
  })

  it.skipIf(!haveSecretTool && !REQUIRE_KEYCHAIN)('stores an item that libsecret finds under service=soemail, username=<profile>:<kind>, and removes it', async () => {
    const p = profile('roundtrip')
    expect(await store.get(p, 'ticket')).toBeUndefined()
    await store.set(p, 'ticket', '7T:abc123')
    expect(await store.get(p, 'ticket')).toBe('7T:abc123')
    expect(await lookup(p)).toBe('7T:abc123')
    const listing = await secretTool(['search', '--all', 'service', 'soemail', 'username', `${p}:ticket`])
    expect(listing.stdout + listing.stderr).toMatch(/attribute\.service = soemail/)
    expect(listing.stdout + listing.stderr).toMatch(new RegExp(`attribute\\.username = ${p}:ticket`))

    expect(await store.delete(p, 'ticket')).toBe(true)
    expect(await store.get(p, 'ticket')).toBeUndefined()
    expect(await lookup(p)).toBeUndefined()
  })

  it.skipIf(!haveSecretTool && !REQUIRE_KEYCHAIN)('reads an item another libsecret client stored', async () => {
    const p = profile('external')
    const stored = await secretTool(['store', '--label', 'soemail test', 'service', 'soemail', 'username', `${p}:app-token`], 'from-secret-tool')
    expect(stored.code).toBe(0)
    expect(await store.get(p, 'app-token')).toBe('from-secret-tool')
  })

  it.skipIf(!haveSecretTool && !REQUIRE_KEYCHAIN)('overwrites in place: one item, the new value', async () => {
    const p = profile('overwrite')
    await store.set(p, 'ticket', 'first')
    await store.set(p, 'ticket', 'second')
    expect(await store.get(p, 'ticket')).toBe('second')
    const listing = await secretTool(['search', '--all', 'service', 'soemail', 'username', `${p}:ticket`])
    expect(listing.stdout.match(/^secret = /gm)).toHaveLength(1)
    expect(listing.stdout).toMatch(/^secret = second$/m)
  })

  it('keeps profiles and secret kinds apart', async () => {
    const a = profile('a')
    const b = profile('b')
    await store.set(a, 'ticket', 'ticket-a')
    await store.set(a, 'app-token', 'token-a')
    await store.set(b, 'ticket', 'ticket-b')
    expect(await store.get(a, 'ticket')).toBe('ticket-a')
    expect(await store.get(a, 'app-token')).toBe('token-a')
    expect(await store.get(b, 'ticket')).toBe('ticket-b')
    expect(await store.get(b, 'system-token')).toBeUndefined()
    expect(await store.delete(a, 'ticket')).toBe(true)
    expect(await store.get(a, 'app-token')).toBe('token-a')
  })

  it('says false when deleting what is not there', async () => {
    expect(await store.delete(profile('never-stored'), 'ticket')).toBe(false)
  })

  it('round-trips unicode, newlines, quotes and long values exactly', async () => {
    const values = ['Zürich ✓ 票 🔑', 'line one\nline two\r\n\ttabbed', ' leading and trailing spaces ', `"quotes" 'and' \\backslashes\\ & <xml/>`, 'x'.repeat(8192)]
    const p = profile('unicode')
    for (const value of values) {
      await store.set(p, 'system-token', value)
      expect(await store.get(p, 'system-token')).toBe(value)
    }
  })
})
