import {mkdtempSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {BIN, cleanEnv, parseJson, runCli} from '../helpers/cli.js'
import {runProcess} from '../helpers/process.js'
import {startSandboxCli} from '../helpers/cli-sandbox.js'
import {startTestDns} from '../helpers/dns-server.js'

describe('soemail sandbox', () => {
  it('prints its URL and a ready-to-paste example, serves the CLI, logs requests without secrets, and stops cleanly on Ctrl-C', async () => {
    // HasMXRecord and the CLI's MX lookups ask a DNS server on 127.0.0.1 (NXDOMAIN for all), so the printed save can run with its checks on.
    const dns = await startTestDns([])
    const sb = await startSandboxCli(['--dns-server', dns.server], /Press Ctrl-C to stop/)
    const url = /listening on (\S+)/.exec(sb.stdout())?.[1]
    const ticket = /ticket (\S+)/.exec(sb.stdout())?.[1]
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/SuperOffice$/)
    expect(sb.stdout()).toContain(`export SOEMAIL_URL=${url} SOEMAIL_TICKET='${ticket}'`)
    expect(sb.stdout()).toContain('account save --email')
    const res = await runCli(['account', 'save', '--email', 'a@example.com', '--associate', '5', '--imap-server', 'i.example.com', '--smtp-server', 's.example.com', '--imap-password', 'pw-1', '--smtp-password', 'pw-2', '--json'], {env: {SOEMAIL_URL: url, SOEMAIL_TICKET: ticket}})
    expect(res.code, res.stderr).toBe(0)
    // The printed commands run as printed from another terminal, where `soemail` is not on the PATH of a clone.
    const printed = sb.stdout().split('\n').map((l) => l.trim())
    const exportLine = printed.find((l) => l.startsWith('export SOEMAIL_URL='))!
    const getLine = printed.find((l) => l.endsWith(' account get 1'))!
    expect(getLine).toBe(`node ${BIN} account get 1`)
    const pasted = await runProcess('sh', ['-c', `${exportLine}; ${getLine}`], {cwd: tmpdir(), env: cleanEnv()})
    expect(pasted.status, pasted.stderr).toBe(0)
    expect(pasted.stdout).toContain('a@example.com')
    // The printed save (two lines), with the checks at their defaults: --no-verify in it skips the login test nothing could pass.
    const start = printed.findIndex((l) => l.startsWith('printf '))
    const save = `${printed[start]}\n${printed[start + 1]}`
    expect(save).toContain('--no-verify')
    const checksOn = cleanEnv({SOEMAIL_VERIFY: undefined, SOEMAIL_OFFLINE: undefined, SOEMAIL_DNS_SERVER: dns.server})
    const saved = await runProcess('sh', ['-c', `${exportLine}; ${save}`], {cwd: tmpdir(), env: checksOn})
    expect(saved.status, saved.stderr).toBe(0)
    expect(saved.stdout).toMatch(/Created account \d+ for jane\.doe@example\.com/)
    await dns.close()
    sb.child.kill('SIGINT')
    expect(await sb.exited).toBe(0)
    expect(sb.stderr()).toMatch(/POST \/SuperOffice\/Remote\/Services87\/EMail.svc SaveEMailAccount 200/)
    expect(sb.stderr()).not.toMatch(/pw-1|pw-2/)
    expect(sb.stderr()).not.toContain(ticket ?? 'no ticket')
  })

  it('--json prints the URL and ticket as soon as it is ready; --data keeps accounts between runs in a 0600 file', async () => {
    const data = join(mkdtempSync(join(tmpdir(), 'soemail-sb-')), 'sandbox.json')
    const first = await startSandboxCli(['--json', '--data', data, '--quiet'], /\}\s*$/)
    const info = parseJson(first.stdout()).result as {url: string; ticket: string}
    const saved = await runCli(['account', 'save', '--email', 'keep@example.com', '--associate', '5', '--imap-server', 'i.example.com', '--smtp-server', 's.example.com', '--imap-password', 'a', '--smtp-password', 'b', '--json'], {env: {SOEMAIL_URL: info.url, SOEMAIL_TICKET: info.ticket}})
    const id = (parseJson(saved.stdout).result as {account: {id: number}}).account.id
    first.child.kill('SIGTERM')
    expect(await first.exited).toBe(0)
    expect(statSync(data).mode & 0o777).toBe(0o600)

    const second = await startSandboxCli(['--json', '--data', data, '--quiet'], /\}\s*$/)
    const info2 = parseJson(second.stdout()).result as {url: string; ticket: string}
    const got = await runCli(['account', 'get', String(id), '--json'], {env: {SOEMAIL_URL: info2.url, SOEMAIL_TICKET: info2.ticket}})
    second.child.kill('SIGINT')
    await second.exited
    expect(got.code, got.stderr).toBe(0)
    expect(parseJson(got.stdout).result).toMatchObject({id, email: 'keep@example.com'})
  })

  it('checks every request against the schemas: an out-of-order member gets a schema fault naming it', async () => {
    const sb = await startSandboxCli(['--json', '--quiet'], /\}\s*$/)
    const {url, ticket} = parseJson(sb.stdout()).result as {url: string; ticket: string}
    const ns = 'http://www.superoffice.net/ws/crm/NetServer/Services87'
    const save = (members: string) =>
      fetch(`${url}/Remote/Services87/EMail.svc`, {
        method: 'POST',
        headers: {'content-type': 'text/xml; charset=utf-8', soapaction: `"${ns}/EMail/SaveEMailAccount"`},
        body: `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:so="${ns}"><s:Header><so:Credentials><so:Ticket>${ticket}</so:Ticket></so:Credentials></s:Header><s:Body><so:SaveEMailAccount><so:EMailAccount>${members}</so:EMailAccount></so:SaveEMailAccount></s:Body></s:Envelope>`,
      }).then(async (r) => ({status: r.status, text: await r.text()}))
    const good = await save('<so:EMailAccountId>0</so:EMailAccountId><so:EMailAddress>order@example.com</so:EMailAddress><so:AssociateId>5</so:AssociateId>')
    const swapped = await save('<so:EMailAddress>order@example.com</so:EMailAddress><so:EMailAccountId>0</so:EMailAccountId><so:AssociateId>5</so:AssociateId>')
    sb.child.kill('SIGINT')
    await sb.exited
    expect(good.status, good.text).toBe(200)
    expect(swapped.status).toBe(500)
    expect(swapped.text).toMatch(/<faultstring[^>]*>Schema validation failed: line 1: Element '\{http:\/\/www\.superoffice\.net\/ws\/crm\/NetServer\/Services87\}EMailAccountId': This element is not expected\./)
  })
})
