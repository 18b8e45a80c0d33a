import {chmodSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, afterEach, beforeEach, describe, expect, it} from 'vitest'
import {openFileStore} from '../../src/keychain/file-store.js'
import {CredentialStoreError} from '../../src/keychain/secret-store.js'
import {removeTempDirs, tempDir} from '../helpers/keychain.js'

const posix = process.platform !== 'win32'

afterAll(removeTempDirs)
const mode = (path: string) => statSync(path).mode & 0o777

describe('the --insecure-storage file store', () => {
  let dir: string
  let path: string
  let savedUmask: number
  beforeEach(() => {
    dir = join(tempDir('soemail-fs-'), 'nested', 'soemail')
    path = join(dir, 'secrets.json')
    // With no umask, only explicit modes keep the file private; a forgotten mode would show as 0666.
    savedUmask = process.umask(0)
  })
  afterEach(() => {
    process.umask(savedUmask)
  })

  it('round-trips secrets per profile and kind, in the documented JSON shape', async () => {
    const store = openFileStore(path)
    expect(store.kind).toBe('file')
    expect(store.location).toBe(path)
    expect(await store.get('prod', 'ticket')).toBeUndefined()
    await store.set('prod', 'ticket', '7T:prod')
    await store.set('prod', 'app-token', 'app-secret')
    await store.set('test', 'ticket', 'Zürich ✓\nline two "quoted"')
    expect(await store.get('prod', 'ticket')).toBe('7T:prod')
    expect(await store.get('test', 'ticket')).toBe('Zürich ✓\nline two "quoted"')
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({
      prod: {ticket: '7T:prod', 'app-token': 'app-secret'},
      test: {ticket: 'Zürich ✓\nline two "quoted"'},
    })
    // A second store object sees the same file: nothing is cached in memory.
    expect(await openFileStore(path).get('prod', 'app-token')).toBe('app-secret')
  })

  it('overwrites, deletes (true/false), and removes the file when the last secret goes', async () => {
    const store = openFileStore(path)
    await store.set('prod', 'ticket', 'one')
    await store.set('prod', 'ticket', 'two')
    expect(await store.get('prod', 'ticket')).toBe('two')
    expect(await store.delete('prod', 'app-token')).toBe(false)
    expect(await store.delete('nobody', 'ticket')).toBe(false)
    expect(await store.delete('prod', 'ticket')).toBe(true)
    expect(await store.get('prod', 'ticket')).toBeUndefined()
    expect(() => statSync(path)).toThrow()
    expect(await store.delete('prod', 'ticket')).toBe(false)
  })

  it.skipIf(!posix)('creates the file 0600 and its new directories 0700, whatever the umask', async () => {
    await openFileStore(path).set('prod', 'ticket', 'x')
    expect(mode(path)).toBe(0o600)
    expect(mode(dir)).toBe(0o700)
    expect(mode(join(dir, '..'))).toBe(0o700)
    // Rewrites go through a new file; it must be private too, and nothing is left behind.
    await openFileStore(path).set('prod', 'app-token', 'y')
    expect(mode(path)).toBe(0o600)
    expect(readdirSync(dir)).toEqual(['secrets.json'])
  })

  it.skipIf(!posix)('leaves an existing directory as it is', async () => {
    mkdirSync(dir, {recursive: true, mode: 0o755})
    await openFileStore(path).set('prod', 'ticket', 'x')
    expect(mode(dir)).toBe(0o755)
    expect(mode(path)).toBe(0o600)
  })

  it.skipIf(!posix)('refuses a file others can read, says to chmod 600 it, and does not overwrite it', async () => {
    mkdirSync(dir, {recursive: true})
    writeFileSync(path, JSON.stringify({prod: {ticket: 'T-leaked-secret'}}))
    chmodSync(path, 0o644)
    const store = openFileStore(path)
    // One call at a time: calls started together would reject before their handlers are attached.
    for (const attempt of [() => store.get('prod', 'ticket'), () => store.set('prod', 'ticket', 'new'), () => store.delete('prod', 'ticket')]) {
      const e = await attempt().then(
        () => undefined,
        (error: unknown) => error,
      )
      expect(e).toBeInstanceOf(CredentialStoreError)
      const err = e as CredentialStoreError
      expect(err.exitCode).toBe(5)
      expect(err.message).toContain(path)
      expect(err.message).toMatch(/644/)
      expect(err.hint).toContain(`chmod 600 ${path}`)
      expect(`${err.message}${err.hint}`).not.toContain('T-leaked-secret')
    }
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({prod: {ticket: 'T-leaked-secret'}})
    chmodSync(path, 0o600)
    expect(await store.get('prod', 'ticket')).toBe('T-leaked-secret')
    chmodSync(path, 0o640)
    await expect(store.get('prod', 'ticket')).rejects.toThrow(/permissions \(640\)/)
  })

  it('reports a damaged file without quoting its contents', async () => {
    mkdirSync(dir, {recursive: true})
    writeFileSync(path, '{"prod": {"ticket": "T-half-written-secret', {mode: 0o600})
    const e = await openFileStore(path)
      .get('prod', 'ticket')
      .then(
        () => undefined,
        (error: unknown) => error,
      )
    expect(e).toBeInstanceOf(CredentialStoreError)
    expect((e as CredentialStoreError).message).toMatch(/not in the expected format/)
    expect(JSON.stringify({m: (e as Error).message, h: (e as CredentialStoreError).hint})).not.toContain('T-half-written-secret')
  })

  it('keeps a profile named __proto__ as plain data', async () => {
    const store = openFileStore(path)
    await store.set('__proto__', 'ticket', 'odd')
    await store.set('prod', 'ticket', 'normal')
    expect(await store.get('__proto__', 'ticket')).toBe('odd')
    expect(await store.get('prod', 'ticket')).toBe('normal')
    expect(Object.keys(JSON.parse(readFileSync(path, 'utf8')))).toEqual(['__proto__', 'prod'])
  })
})
