import {mkdtempSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {AssociateResolver} from '../../src/accounts/associates.js'
import {runAccountGet} from '../../src/app/account-get.js'
import {runAccountImport, type AccountImportOptions} from '../../src/app/account-import.js'
import {runAccountSave} from '../../src/app/account-save.js'
import {ValidationError} from '../../src/errors.js'
import {ArchiveService} from '../../src/soap/archive-service.js'
import {NetServerClient} from '../../src/soap/client.js'
import {SoapTransport} from '../../src/soap/transport.js'
import {UserDirectory, type DirectoryUser} from '../../src/sandbox/server.js'
import {readResults, writeCsv} from '../helpers/import-csv.js'
import {useSandbox} from '../helpers/sandbox.js'
import {NO_FLAGS, useWorlds} from '../helpers/world.js'

const sandbox = useSandbox()
const world = useWorlds(sandbox)

const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e)
const HEADER = 'email,associate,imap_server,smtp_server,imap_password,smtp_password'
const row = (email: string, associate: string) => `${email},${associate},imap.example.no,smtp.example.no,a,b`
let files = 0
const csv = (rows: string[], header = HEADER) => writeCsv(join(mkdtempSync(join(tmpdir(), 'soemail-assoc-')), `in${files++}.csv`), rows, header)
const importOptions = (file: string, extra: Partial<AccountImportOptions> = {}): AccountImportOptions => ({...NO_FLAGS, file, concurrency: '4', retries: 1, output: 'text', argv: [file], commandId: 'account:import', ...extra})
const ownerOf = (email: string) => sandbox.current.accounts().filter((a) => a.emailAddress === email).map((a) => a.associateId)

function resolver(): AssociateResolver {
  const transport = new SoapTransport({timeoutMs: 10_000})
  return new AssociateResolver(new ArchiveService(new NetServerClient({baseUrl: sandbox.current.url, version: '87', ticket: sandbox.current.demoTicket, allowHttp: true}, transport)))
}

describe('AssociateResolver', () => {
  it('takes an id, a user name (any case) or an e-mail address, and checks numbers too', async () => {
    const r = resolver()
    for (const ref of [12, '12', 'kari', 'KARI', 'Kari@Example.no']) {
      expect(await r.resolve(ref)).toMatchObject({ok: true, associate: {id: 12, userName: 'kari', fullName: 'Kari Nordmann'}})
    }
    expect(await r.resolve(4242)).toMatchObject({ok: false, problem: 'no user has the associate id 4242'})
  })

  it('refuses unknown, shared, retired and non-person associates, naming the value and the candidates', async () => {
    const r = resolver()
    const unknown = await r.resolve('karii')
    expect(unknown).toMatchObject({ok: false, problem: expect.stringMatching(/no user has the user name "karii"; did you mean Kari Nordmann \(kari, #12\)\?/)})
    const shared = await r.resolve('support@example.no')
    expect(shared).toMatchObject({ok: false, problem: expect.stringMatching(/"support@example.no" is the e-mail address of 2 users: Emma Karlsen \(emma, #15\), Jonas Berg \(jonas, #16\); give the user name/)})
    expect(shared.ok ? [] : shared.candidates.map((c) => c.id)).toEqual([15, 16])
    expect(await r.resolve('solveig')).toMatchObject({ok: false, problem: expect.stringMatching(/Solveig Haugen \(solveig, #17\), who is retired/)})
    expect(await r.resolve('SYSTEM')).toMatchObject({ok: false, problem: expect.stringMatching(/a system user, not a person/)})
    expect(await r.resolve('fjord')).toMatchObject({ok: false, problem: expect.stringMatching(/Møterom Fjord \(fjord, #21\), a resource \(a room or equipment\), not a person/)})
    expect(await r.resolve(20)).toMatchObject({ok: false, problem: expect.stringMatching(/the anonymous user, not a person/)})
  })

  it('caches: the same associate is asked for once per run', async () => {
    const r = resolver()
    await r.resolveAll(['ola', 'ola', 'OLA', 1, '1'])
    const calls = r.calls
    await r.resolveAll(['ola', 1])
    expect(r.calls).toBe(calls)
    expect(calls).toBe(2) // one oneOf for the ids, one for the user names
  })
})

describe('account save --associate', () => {
  const create = {...NO_FLAGS, 'imap-server': 'imap.example.no', 'smtp-server': 'smtp.example.no', 'imap-password': 'a', 'smtp-password': 'b'}

  it('saves for the user a name or an address stands for, and shows the person', async () => {
    const w = world()
    const result = (await runAccountSave({...create, email: 'kari.save@example.no', associate: 'kari'}, w)) as {account: {associateId: number; associate: unknown}}
    expect(result.account).toMatchObject({associateId: 12, associate: {id: 12, userName: 'kari', fullName: 'Kari Nordmann'}})
    expect(w.stdout.text()).toContain('Kari Nordmann (kari, #12)')
    expect(ownerOf('kari.save@example.no')).toEqual([12])
    await runAccountSave({...create, email: 'ola.save@example.no', associate: 'ola.nordmann@example.no'}, world())
    expect(ownerOf('ola.save@example.no')).toEqual([1])
  })

  it('refuses a bad associate with exit 3 and the candidates, sending nothing', async () => {
    const acted = sandbox.current.stats().acted
    const error = await failure(runAccountSave({...create, email: 'x.save@example.no', associate: 'support@example.no'}, world()))
    expect(error).toBeInstanceOf(ValidationError)
    expect((error as ValidationError).exitCode).toBe(3)
    expect((error as ValidationError).message).toMatch(/--associate "support@example.no" is the e-mail address of 2 users: Emma Karlsen \(emma, #15\), Jonas Berg \(jonas, #16\)/)
    const unknown = await failure(runAccountSave({...create, email: 'x.save@example.no', associate: '3999'}, world()))
    expect((unknown as ValidationError).message).toMatch(/no user has the associate id 3999/)
    expect(sandbox.current.stats().acted).toBe(acted)
  })

  it('an update that changes the owner names both people', async () => {
    const saved = (await runAccountSave({...create, email: 'move.save@example.no', associate: 'magnus'}, world())) as {account: {id: number}}
    const w = world()
    const result = await runAccountSave({...NO_FLAGS, id: saved.account.id, associate: 'kari@example.no'}, w)
    expect(result).toMatchObject({action: 'updated', changes: [{field: 'associate', from: 7, to: 12}]})
    expect(w.stdout.text()).toContain('associate: Magnus Larsen (magnus, #7) → Kari Nordmann (kari, #12)')
    expect(ownerOf('move.save@example.no')).toEqual([12])
  })

  it('account get shows the owner; --json has an associate object', async () => {
    const saved = (await runAccountSave({...create, email: 'get.save@example.no', associate: 7}, world())) as {account: {id: number}}
    const w = world()
    const view = await runAccountGet({...NO_FLAGS, id: saved.account.id}, w)
    expect(view).toMatchObject({associateId: 7, associate: {id: 7, userName: 'magnus', fullName: 'Magnus Larsen', email: 'magnus.larsen@example.no', active: true}})
    expect(w.stdout.text()).toMatch(/Associate\s+Magnus Larsen \(magnus, #7\)/)
  })
})

describe('account import with associates by name', () => {
  it('imports user names, addresses and ids to the right associates; results name the user', async () => {
    const file = csv([row('imp1@example.no', 'kari'), row('imp2@example.no', 'INGRID.HANSEN@example.no'), row('imp3@example.no', '34')])
    expect(await runAccountImport(importOptions(file), world())).toMatchObject({counts: {ok: 3}})
    expect([ownerOf('imp1@example.no'), ownerOf('imp2@example.no'), ownerOf('imp3@example.no')]).toEqual([[12], [2], [34]])
    expect(readResults(readFileSync(`${file}.results.csv`, 'utf8')).map((r) => [r.associate_id, r.associate])).toEqual([['12', 'kari'], ['2', 'ingrid'], ['34', 'per']])
  })

  it('a file naming users is matched against their existing accounts: run again, it creates nothing', async () => {
    const file = csv([row('again1@example.no', 'kari'), row('again2@example.no', 'INGRID.HANSEN@example.no')])
    expect(await runAccountImport(importOptions(file), world())).toMatchObject({counts: {ok: 2}, actions: {create: 2}})
    const second = await runAccountImport(importOptions(file, {restart: true}), world())
    expect(second).toMatchObject({counts: {ok: 2}, actions: {unchanged: 2}})
    expect([ownerOf('again1@example.no'), ownerOf('again2@example.no')]).toEqual([[12], [2]])
  })

  it('bad associates stop the file with exit 3 and nothing sent, each row named', async () => {
    const file = csv([row('bad1@example.no', 'kari'), row('bad2@example.no', 'nobody'), row('bad3@example.no', 'support@example.no'), row('bad4@example.no', 'solveig')], 'email,user_name,imap_server,smtp_server,imap_password,smtp_password')
    const acted = sandbox.current.stats().acted
    const error = await failure(runAccountImport(importOptions(file), world()))
    expect(error).toBeInstanceOf(ValidationError)
    const message = (error as ValidationError).message
    expect(message).toMatch(/3 of 4 rows name an associate/)
    expect(message).toMatch(/line 3, column user_name: no user has the user name "nobody"/)
    expect(message).toMatch(/line 4, column user_name: "support@example.no" is the e-mail address of 2 users/)
    expect(message).toMatch(/line 5, column user_name: "solveig" is Solveig Haugen \(solveig, #17\), who is retired/)
    expect(sandbox.current.stats().acted).toBe(acted)
  })

  it('--skip-invalid imports the others and reports those rows invalid', async () => {
    const file = csv([row('skip1@example.no', 'magnus'), row('skip2@example.no', 'SYSTEM')])
    const error = await failure(runAccountImport(importOptions(file, {'skip-invalid': true}), world()))
    expect((error as {exitCode: number}).exitCode).toBe(6)
    expect(ownerOf('skip1@example.no')).toEqual([7])
    expect(ownerOf('skip2@example.no')).toEqual([])
    const results = readResults(readFileSync(`${file}.results.csv`, 'utf8'))
    expect(results.map((r) => r.status)).toEqual(['ok', 'invalid'])
    expect(results[1]!.error).toMatch(/associate: "SYSTEM" is System User \(SYSTEM, #3\), a system user/)
  })

  it('the dry-run stops on a refused associate as the real run does (3); with --skip-invalid its plan shows the person and the refused rows', async () => {
    const file = csv([row('dry1@example.no', 'kari'), row('dry2@example.no', 'karii')])
    const refused = await failure(runAccountImport(importOptions(file, {'dry-run': true}), world()))
    expect((refused as {exitCode: number}).exitCode).toBe(3)
    expect((refused as Error).message).toMatch(/line 3, column associate: no user has the user name "karii"/)
    const w = world()
    const planned = await failure(runAccountImport(importOptions(file, {'dry-run': true, 'skip-invalid': true}), w))
    expect((planned as {exitCode: number; details: unknown}).exitCode).toBe(6)
    expect((planned as {details: unknown}).details).toMatchObject({totals: {create: 1, invalid: 1}})
    expect(w.stdout.text()).toMatch(/create\s+dry1@example.no, Kari Nordmann \(kari, #12\)/)
    expect(w.stdout.text()).toMatch(/invalid\s+dry2@example.no, associate karii .*no user has the user name "karii"/)
  })
})

describe('look-ups are batched and cached', () => {
  const users: DirectoryUser[] = Array.from({length: 500}, (_, i) => ({associateId: 1000 + i, userName: `user${i}`, fullName: `Bruker ${i}`, email: `user${i}@firma.no`, active: true, type: 'associate'}))
  const big = useSandbox({schemaCheck: false, users: new UserDirectory(users)})
  const bigWorld = useWorlds(big)

  it('a 10,000-row file naming 500 users makes a few Archive calls', async () => {
    // Half the rows name the user, half the address, so both kinds of look-up are counted.
    const rows = Array.from({length: 10_000}, (_, i) => row(`big${i}@example.no`, i % 2 ? `user${i % 500}` : `user${i % 500}@firma.no`))
    const file = csv(rows)
    const result = await runAccountImport(importOptions(file, {concurrency: '16'}), bigWorld())
    expect(result).toMatchObject({counts: {ok: 10_000}})
    const calls = big.current.stats().byOperation.GetArchiveListByColumns2 ?? 0
    expect(calls).toBeGreaterThan(0)
    expect(calls).toBeLessThanOrEqual(12)
    expect(big.current.accounts().filter((a) => a.associateId === 1007).length).toBe(20)
  }, 120_000)
})


describe('a look-up that fails', () => {
  it('is not cached as "nobody": after a re-login the same associate resolves', async () => {
    const r = resolver()
    sandbox.current.expireTickets()
    await expect(r.resolve('kari')).rejects.toThrow(/ticket/i)
    const {freshTicket} = await import('../helpers/sandbox.js')
    const ticket = await freshTicket(sandbox.current.url)
    const transport = new SoapTransport({timeoutMs: 10_000})
    const again = new AssociateResolver(new ArchiveService(new NetServerClient({baseUrl: sandbox.current.url, version: '87', ticket, allowHttp: true}, transport)))
    expect(await again.resolve('kari')).toMatchObject({ok: true})
    // The first resolver's cache holds nothing for kari, so it asks again rather than answering "no user".
    expect((r as unknown as {found: Map<string, unknown>}).found.has('~kari')).toBe(false)
    transport.close()
  })
})
