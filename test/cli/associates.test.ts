import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {parseJson, runCli} from '../helpers/cli.js'
import {JSON_READY, startSandboxCli} from '../helpers/cli-sandbox.js'
import {readResults} from '../helpers/import-csv.js'
import {useSandbox} from '../helpers/sandbox.js'

const sandbox = useSandbox()
const env = () => ({SOEMAIL_URL: sandbox.current.url, SOEMAIL_TICKET: sandbox.current.demoTicket})
const servers = ['--imap-server', 'imap.example.no', '--smtp-server', 'smtp.example.no', '--imap-password', 'a', '--smtp-password', 'b']
const dir = mkdtempSync(join(tmpdir(), 'soemail-cli-assoc-'))
const ownerOf = (email: string) => sandbox.current.accounts().filter((a) => a.emailAddress === email).map((a) => a.associateId)

describe('--associate takes a user name, an e-mail address or an id (built CLI)', () => {
  it('account save --associate kari saves for associate 12 and says who that is', async () => {
    const res = await runCli(['account', 'save', '--email', 'kari.cli@example.no', '--associate', 'kari', ...servers], {env: env()})
    expect(res.code, res.stderr).toBe(0)
    expect(res.stdout).toMatch(/Created account \d+ for kari.cli@example.no \(Kari Nordmann \(kari, #12\)\)/)
    expect(ownerOf('kari.cli@example.no')).toEqual([12])
    const id = sandbox.current.accounts().find((a) => a.emailAddress === 'kari.cli@example.no')!.emailAccountId!
    const got = await runCli(['account', 'get', String(id), '--json'], {env: env()})
    expect(parseJson(got.stdout).result).toMatchObject({associateId: 12, associate: {id: 12, userName: 'kari', fullName: 'Kari Nordmann'}})
  })

  it('a shared address exits 3 with the candidates, and nothing is sent', async () => {
    const acted = sandbox.current.stats().acted
    const res = await runCli(['account', 'save', '--email', 'shared.cli@example.no', '--associate', 'support@example.no', ...servers, '--json'], {env: env()})
    expect(res.code).toBe(3)
    const {error} = parseJson(res.stdout)
    expect(error?.message).toMatch(/is the e-mail address of 2 users: Emma Karlsen \(emma, #15\), Jonas Berg \(jonas, #16\)/)
    expect(error?.details).toMatchObject({candidates: [{id: 15, userName: 'emma'}, {id: 16, userName: 'jonas'}]})
    expect(sandbox.current.stats().acted).toBe(acted)
  })

  it('account import: names and addresses in the associate column; a bad one stops the file with exit 3', async () => {
    const header = 'email;Bruker;imap_server;smtp_server;imap_password;smtp_password'
    const good = join(dir, 'good.csv')
    writeFileSync(good, `${header}\nimp.cli1@example.no;sigrid;i.example.no;s.example.no;a;b\nimp.cli2@example.no;magnus.larsen@example.no;i.example.no;s.example.no;a;b\n`)
    const ok = await runCli(['account', 'import', good, '--map', 'Bruker=user'], {env: env()})
    expect(ok.code, ok.stderr).toBe(0)
    expect([ownerOf('imp.cli1@example.no'), ownerOf('imp.cli2@example.no')]).toEqual([[6], [7]])
    expect(readResults(readFileSync(`${good}.results.csv`, 'utf8')).map((r) => r.associate)).toEqual(['sigrid', 'magnus'])

    const bad = join(dir, 'bad.csv')
    writeFileSync(bad, `${header}\nimp.cli3@example.no;sigrid;i.example.no;s.example.no;a;b\nimp.cli4@example.no;sigird;i.example.no;s.example.no;a;b\n`)
    const acted = sandbox.current.stats().acted
    const refused = await runCli(['account', 'import', bad, '--map', 'Bruker=user'], {env: env()})
    expect(refused.code).toBe(3)
    expect(refused.stderr).toMatch(/line 3, column Bruker: no user has the user name "sigird"; did you mean Sigrid Olsen \(sigrid, #6\)\?/)
    expect(sandbox.current.stats().acted).toBe(acted)
  })
})

describe('soemail sandbox --users FILE', () => {
  it('serves the users of the file, and refuses accounts for anyone else', async () => {
    const users = join(dir, 'users.csv')
    writeFileSync(users, 'associate_id;user_name;full_name;email;active;type\n201;marit;Marit Dahl;marit@firma.no;true;person\n202;gammel;Gamle Erik;erik@firma.no;false;person\n')
    const {child, exited, stdout} = await startSandboxCli(['--json', '--quiet', '--users', users], JSON_READY)
    try {
      const info = parseJson(stdout()).result as {url: string; ticket: string}
      const e = {SOEMAIL_URL: info.url, SOEMAIL_TICKET: info.ticket}
      const saved = await runCli(['account', 'save', '--email', 'marit@firma.no', '--associate', 'marit', ...servers, '--json'], {env: e})
      expect(saved.code, saved.stdout).toBe(0)
      expect(parseJson(saved.stdout).result).toMatchObject({account: {associateId: 201, associate: {fullName: 'Marit Dahl'}}})
      const retired = await runCli(['account', 'save', '--email', 'erik@firma.no', '--associate', 'erik@firma.no', ...servers], {env: e})
      expect(retired.code).toBe(3)
      expect(retired.stderr).toMatch(/Gamle Erik \(gammel, #202\), who is retired/)
      const demo = await runCli(['account', 'save', '--email', 'kari@example.no', '--associate', '12', ...servers], {env: e})
      expect(demo.code).toBe(3)
      expect(demo.stderr).toMatch(/no user has the associate id 12/)
    } finally {
      child.kill('SIGINT')
      await exited
    }
  })

  it('a bad file exits 3 naming its line; a missing one exits 2', async () => {
    const bad = join(dir, 'bad-users.csv')
    writeFileSync(bad, 'associate_id,user_name,full_name,email,active,type\n201,marit,Marit Dahl,marit@firma.no,ja,person\n')
    const res = await runCli(['sandbox', '--users', bad])
    expect(res.code).toBe(3)
    expect(res.stderr).toMatch(/bad-users.csv, line 2: active is "ja"; use true or false/)
    const missing = await runCli(['sandbox', '--users', join(dir, 'nope.csv')])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/nope.csv: no such file/)
  })
})
