import {describe, expect, it} from 'vitest'
import {parseJson, runCli} from '../helpers/cli.js'
import {useSandbox} from '../helpers/sandbox.js'

const sandbox = useSandbox()
const env = () => ({SOEMAIL_URL: sandbox.current.url, SOEMAIL_TICKET: sandbox.current.demoTicket})

const createArgs = ['account', 'save', '--email', 'jane.doe@example.com', '--associate', '5', '--imap-server', 'imap.example.com', '--smtp-server', 'smtp.example.com', '--imap-password-stdin', '--smtp-password-stdin']

/** A new account each time (a second save of Jane's address would otherwise update the first). */
async function create(extra: string[] = []): Promise<number> {
  const res = await runCli([...createArgs, '--json', '--create-new', ...extra], {env: env(), input: 'in-secret\nout-secret\n'})
  expect(res.code, res.stderr).toBe(0)
  const id = (parseJson(res.stdout).result as {account: {id: number}}).account.id
  expect(id).toBeGreaterThan(0)
  return id
}

describe('account save, get, delete against the sandbox', () => {
  it('creates an account from flags and stdin passwords, and never prints the passwords', async () => {
    const res = await runCli(createArgs, {env: env(), input: 'in-secret\nout-secret\n'})
    expect(res.code, res.stderr).toBe(0)
    expect(res.stdout).toMatch(/Created account \d+ for jane.doe@example.com/)
    expect(res.stdout).toContain('imap.example.com:993')
    expect(res.stdout).toContain('smtp.example.com:587')
    expect(res.stdout + res.stderr).not.toMatch(/in-secret|out-secret/)
    const stored = sandbox.current.accounts().find((a) => a.emailAccountId === Number(/Created account (\d+)/.exec(res.stdout)?.[1]))
    expect(stored?.incoming).toMatchObject({server: 'imap.example.com', port: 993, username: 'jane.doe@example.com', password: 'in-secret'})
    expect(stored?.outgoing?.password).toBe('out-secret')
  })

  it('--json output has the documented shape', async () => {
    const res = await runCli([...createArgs, '--json', '--create-new'], {env: env(), input: 'a\nb\n'})
    expect(res.code).toBe(0)
    const json = parseJson(res.stdout)
    expect(json).toMatchObject({status: 0, result: {action: 'created', account: {email: 'jane.doe@example.com', associateId: 5, imap: {server: 'imap.example.com', port: 993, password: '********'}, smtp: {password: '********'}}, changes: []}})
    expect(res.stderr).toBe('')
  })

  it('gets an account with passwords masked unless --show-secrets', async () => {
    const id = await create()
    const masked = await runCli(['account', 'get', String(id), '--json'], {env: env()})
    expect(masked.code, masked.stderr).toBe(0)
    expect(parseJson(masked.stdout).result).toMatchObject({id, email: 'jane.doe@example.com', imap: {password: '********'}})
    expect(masked.stdout).not.toContain('in-secret')
    const shown = await runCli(['account', 'get', String(id), '--json', '--show-secrets'], {env: env()})
    expect(parseJson(shown.stdout).result).toMatchObject({imap: {password: 'in-secret'}, smtp: {password: 'out-secret'}})
    const text = await runCli(['account', 'get', String(id)], {env: env()})
    expect(text.stdout).toMatch(/IMAP password\s+\*{8}/)
  })

  it('update keeps fields it does not mention', async () => {
    const id = await create()
    const res = await runCli(['account', 'save', '--id', String(id), '--imap-server', 'imap.one.com', '--smtp-port', '465', '--json'], {env: env()})
    expect(res.code, res.stderr).toBe(0)
    expect(parseJson(res.stdout).result).toMatchObject({
      action: 'updated',
      changes: [
        {field: 'imap-server', from: 'imap.example.com', to: 'imap.one.com'},
        {field: 'smtp-port', from: 587, to: 465},
      ],
    })
    const stored = sandbox.current.accounts().find((a) => a.emailAccountId === id)
    expect(stored).toMatchObject({
      emailAddress: 'jane.doe@example.com',
      associateId: 5,
      incoming: {server: 'imap.one.com', port: 993, username: 'jane.doe@example.com', password: 'in-secret'},
      outgoing: {server: 'smtp.example.com', port: 465, password: 'out-secret'},
    })
  })

  it('an update that changes nothing sends nothing', async () => {
    const id = await create()
    const res = await runCli(['account', 'save', '--id', String(id), '--imap-server', 'imap.example.com'], {env: env()})
    expect(res.code, res.stderr).toBe(0)
    expect(res.stdout).toContain('nothing was sent')
  })

  it('deletes with --yes, and refuses without it when not on a terminal', async () => {
    const id = await create()
    const refused = await runCli(['account', 'delete', String(id), '--json'], {env: env()})
    expect(refused.code).toBe(2)
    expect(parseJson(refused.stdout).error).toMatchObject({code: 'USAGE', message: expect.stringContaining('without confirmation')})
    expect(sandbox.current.accounts().some((a) => a.emailAccountId === id)).toBe(true)
    const res = await runCli(['account', 'delete', String(id), '--yes'], {env: env()})
    expect(res.code, res.stderr).toBe(0)
    expect(sandbox.current.accounts().some((a) => a.emailAccountId === id)).toBe(false)
    const gone = await runCli(['account', 'get', String(id), '--json'], {env: env()})
    expect(gone.code).toBe(8)
    expect(parseJson(gone.stdout).error?.code).toBe('NOT_FOUND')
  })

  it('--api-version 88 talks to the Services88 endpoint', async () => {
    const res = await runCli([...createArgs, '--api-version', '88', '--json', '--create-new'], {env: env(), input: 'a\nb\n'})
    expect(res.code, res.stderr).toBe(0)
  })

  it('--trace prints the exchange on stderr with secrets redacted', async () => {
    const res = await runCli([...createArgs, '--trace', '--json', '--create-new'], {env: env(), input: 'in-secret\nout-secret\n'})
    expect(res.code, res.stderr).toBe(0)
    expect(res.stderr).toContain('SOAPAction: "http://www.superoffice.net/ws/crm/NetServer/Services87/EMail/SaveEMailAccount"')
    expect(res.stderr).toMatch(/<so:Password>\*{8}<\/so:Password>/)
    expect(res.stderr).toMatch(/Ticket>\*{8}</)
    expect(res.stderr + res.stdout).not.toMatch(/in-secret|out-secret/)
    expect(res.stderr).not.toContain(sandbox.current.demoTicket)
  })
})

describe('errors and exit codes', () => {
  it('a bad ticket exits 4 and says what to do', async () => {
    const res = await runCli(['account', 'get', '1'], {env: {...env(), SOEMAIL_TICKET: '7T:bogus'}})
    expect(res.code).toBe(4)
    expect(res.stderr).toMatch(/SuperOffice rejected the ticket \(SoSessionException\)/)
    expect(res.stderr).toMatch(/--ticket-stdin|SOEMAIL_TICKET/)
    const json = await runCli(['account', 'get', '1', '--json'], {env: {...env(), SOEMAIL_TICKET: '7T:bogus'}})
    expect(json.code).toBe(4)
    expect(parseJson(json.stdout)).toMatchObject({status: 4, error: {code: 'TICKET_REJECTED'}})
    expect(json.stdout).not.toContain('7T:bogus')
  })

  it('no ticket at all exits 4', async () => {
    const res = await runCli(['account', 'get', '1', '--json'], {env: {SOEMAIL_URL: sandbox.current.url}})
    expect(res.code).toBe(4)
    expect(parseJson(res.stdout).error?.code).toBe('AUTH_REQUIRED')
  })

  it('an unreachable URL exits 7 naming the URL', async () => {
    const res = await runCli(['account', 'get', '1', '--url', 'http://127.0.0.1:9/SuperOffice', '--json'], {env: {SOEMAIL_TICKET: 'x'}})
    expect(res.code).toBe(7)
    expect(parseJson(res.stdout)).toMatchObject({status: 7, error: {code: 'NETWORK_ERROR', message: expect.stringContaining('http://127.0.0.1:9/SuperOffice/Remote/Services87/EMail.svc')}})
  })

  it('a wrong base URL (404) exits 7 and points at --url', async () => {
    const res = await runCli(['account', 'get', '1', '--url', `${sandbox.current.url}/wrong`], {env: {SOEMAIL_TICKET: sandbox.current.demoTicket}})
    expect(res.code).toBe(7)
    expect(res.stderr).toMatch(/HTTP 404/)
    expect(res.stderr).toMatch(/--url/)
  })

  it('missing flags without a terminal exit 2 listing every one', async () => {
    const res = await runCli(['account', 'save', '--email', 'jane@example.com', '--json'], {env: env()})
    expect(res.code).toBe(2)
    const json = parseJson(res.stdout)
    expect(json.error?.message).toBe('missing --associate, --imap-server, --imap-password (or --imap-password-stdin), --smtp-server, --smtp-password (or --smtp-password-stdin)')
    const text = await runCli(['account', 'save'], {env: env()})
    expect(text.code).toBe(2)
    expect(text.stderr).toContain('missing --email, --associate')
  })

  it('invalid values exit 3 before anything is sent, listing every problem', async () => {
    const before = sandbox.current.accounts().length
    const args = createArgs.map((a) => (a === 'jane.doe@example.com' ? 'nope' : a))
    const res = await runCli([...args, '--imap-port', '0', '--json'], {env: env(), input: 'a\nb\n'})
    expect(res.code).toBe(3)
    const json = parseJson(res.stdout)
    expect(json.error?.code).toBe('VALIDATION_FAILED')
    expect((json.error?.details as Array<{field: string}>).map((d) => d.field).sort()).toEqual(['--email', '--imap-port'])
    expect(sandbox.current.accounts().length).toBe(before)
  })

  it('flag errors exit 2 under --json without dumping the parser context', async () => {
    for (const args of [['--imap-port', 'abc'], ['--nope'], ['--api-version', '99']]) {
      const res = await runCli(['account', 'save', ...args, '--json'], {env: env()})
      expect(res.code).toBe(2)
      const json = parseJson(res.stdout)
      expect(Object.keys(json)).toEqual(['status', 'error'])
      expect(json.error?.code).toBe('USAGE')
      expect(res.stdout).not.toContain('package.json')
      expect(res.stdout).not.toContain(process.env.HOME ?? '/root')
    }
  })

  it('http:// to another machine is refused without --allow-http', async () => {
    const res = await runCli(['account', 'get', '1', '--url', 'http://crm.example.com/SuperOffice', '--json'], {env: {SOEMAIL_TICKET: 'x'}})
    expect(res.code).toBe(2)
    expect(parseJson(res.stdout).error?.message).toMatch(/unencrypted/)
  })
})

describe('account ids: one rule for arguments, flags and files', () => {
  const RULE = 'an account id is a whole number from 1 to 2147483647'
  const shown: Record<string, string> = {'0': '0', '-1': '"-1"', '3000000000': '3000000000', abc: '"abc"'}

  it.each(Object.keys(shown))('account get and delete %s exit 2 with a message about the id, and delete nothing', async (id) => {
    const before = sandbox.current.accounts().length
    for (const argv of [['account', 'get', id], ['account', 'delete', id, '--yes']]) {
      const res = await runCli([...argv, '--json'], {env: env()})
      expect(res.code, res.stdout).toBe(2)
      expect(parseJson(res.stdout).error).toMatchObject({code: 'USAGE', message: `ID is ${shown[id]}; ${RULE}`})
      const text = await runCli(argv, {env: env()})
      expect(text.code).toBe(2)
      expect(text.stderr).toContain(`ID is ${shown[id]}; ${RULE}`)
    }
    expect(sandbox.current.accounts().length).toBe(before)
  })

  it('the largest id is an id: it is looked up (and not found)', async () => {
    const res = await runCli(['account', 'get', '2147483647', '--json'], {env: env()})
    expect(res.code).toBe(8)
    expect(parseJson(res.stdout).error?.code).toBe('NOT_FOUND')
  })

  it('save --id and export --ids use the same rule', async () => {
    const save = await runCli(['account', 'save', '--id', '3000000000', '--imap-server', 'i.example.no', '--json'], {env: env()})
    expect(save.code).toBe(3)
    expect(parseJson(save.stdout).error?.details).toEqual([{field: '--id', message: `--id is 3000000000; ${RULE}`}])
    const exported = await runCli(['account', 'export', '--ids', '1,abc', '--json'], {env: env()})
    expect(exported.code).toBe(2)
    expect(parseJson(exported.stdout).error?.message).toBe(`an id in --ids is "abc"; ${RULE}`)
  })
})
