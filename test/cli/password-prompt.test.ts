/**
 * Changing a password on a terminal: a --…-stdin flag on a TTY, or a --…-prompt flag, asks with a masked
 * prompt (src/connection/stdin.ts, src/prompts/secret-prompt.ts). Driven in a pseudo-terminal against the
 * sandbox: what is typed is never echoed, the password changes, Ctrl-C and Ctrl-D end cleanly.
 */
import {describe, expect, it} from 'vitest'
import {parseJson, runCli} from '../helpers/cli.js'
import {CTRL_C, ENTER, hasScript, runInPty} from '../helpers/pty.js'
import {useSandbox} from '../helpers/sandbox.js'

const CTRL_D = '\u0004'

describe.skipIf(!hasScript)('a password asked for on a terminal', () => {
  const sandbox = useSandbox()
  const env = () => ({SOEMAIL_URL: sandbox.current.url, SOEMAIL_TICKET: sandbox.current.demoTicket})
  const stored = (id: number) => sandbox.current.accounts().find((a) => a.emailAccountId === id)
  let n = 0
  async function account(): Promise<number> {
    const email = `prompt${++n}@example.com`
    const res = await runCli(['account', 'save', '--email', email, '--associate', '5', '--imap-server', 'imap.example.com', '--smtp-server', 'smtp.example.com', '--imap-password-stdin', '--smtp-password-stdin', '--json'], {env: env(), input: 'old-imap\nold-smtp\n'})
    expect(res.code, res.stderr).toBe(0)
    return (parseJson(res.stdout).result as {account: {id: number}}).account.id
  }

  it('--imap-password-stdin on a terminal asks with a masked prompt; the typed password is stored, never shown', async () => {
    const id = await account()
    const session = await runInPty(['account', 'save', '--id', String(id), '--imap-password-stdin', '--yes'], [{when: /IMAP password/, type: `typed-imap-1${ENTER}`}], env())
    expect(session.code, session.screen).toBe(0)
    expect(session.screen).toMatch(/IMAP password \*{12}/)
    expect(session.screen).not.toContain('typed-imap-1')
    expect(session.screen).toMatch(/Updated account \d+/)
    expect(stored(id)?.incoming?.password).toBe('typed-imap-1')
    expect(stored(id)?.outgoing?.password).toBe('old-smtp')
  })

  it('--smtp-password-prompt with --id changes just that password, after the confirmation', async () => {
    const id = await account()
    const session = await runInPty(['account', 'save', '--id', String(id), '--smtp-password-prompt'], [
      {when: /SMTP password/, type: `typed smtp 2${ENTER}`},
      {when: /Save these changes\?/, type: ENTER},
    ], env())
    expect(session.code, session.screen).toBe(0)
    expect(session.screen).not.toContain('typed smtp 2')
    expect(stored(id)).toMatchObject({incoming: {password: 'old-imap', server: 'imap.example.com'}, outgoing: {password: 'typed smtp 2', server: 'smtp.example.com'}})
  })

  it('Ctrl-C and Ctrl-D at the prompt exit 130 saying nothing was sent; the password stays', async () => {
    const id = await account()
    const interrupted = await runInPty(['account', 'save', '--id', String(id), '--imap-password-prompt', '--yes'], [{when: /IMAP password/, type: `abc${CTRL_C}`}], env())
    expect(interrupted.code, interrupted.screen).toBe(130)
    expect(interrupted.screen).toMatch(/interrupted at the prompt; nothing was sent/)
    const ended = await runInPty(['account', 'save', '--id', String(id), '--imap-password-stdin', '--yes'], [{when: /IMAP password/, type: `abc${CTRL_D}`}], env())
    expect(ended.code, ended.screen).toBe(130)
    expect(ended.screen).toMatch(/no IMAP password given \(Ctrl-D ended the input\); nothing was sent/)
    expect(ended.screen).not.toContain('abc')
    expect(stored(id)?.incoming?.password).toBe('old-imap')
  })

  it('--ticket-stdin on a terminal asks for the ticket, masked, for any command that connects', async () => {
    const id = await account()
    const ticket = sandbox.current.demoTicket
    const session = await runInPty(['account', 'get', String(id), '--ticket-stdin'], [{when: /Ticket/, type: `${ticket}${ENTER}`}], {SOEMAIL_URL: sandbox.current.url})
    expect(session.code, session.screen).toBe(0)
    expect(session.screen).toMatch(/E-mail\s+prompt\d+@example\.com/)
    expect(session.screen).not.toContain(ticket)
  })

  it('without a terminal, --imap-password-prompt exits 2 naming --imap-password-stdin; --imap-password-stdin still reads the pipe', async () => {
    const id = await account()
    const refused = await runCli(['account', 'save', '--id', String(id), '--imap-password-prompt', '--json'], {env: env(), input: 'piped\n'})
    expect(refused.code).toBe(2)
    expect(parseJson(refused.stdout).error).toMatchObject({message: '--imap-password-prompt asks on a terminal, but standard input is not one', hint: expect.stringContaining('--imap-password-stdin')})
    const piped = await runCli(['account', 'save', '--id', String(id), '--imap-password-stdin', '--json'], {env: env(), input: 'piped\n'})
    expect(piped.code, piped.stderr).toBe(0)
    expect(stored(id)?.incoming?.password).toBe('piped')
    const both = await runCli(['account', 'save', '--id', String(id), '--imap-password-prompt', '--imap-password-stdin'], {env: env(), input: 'x\n'})
    expect(both.code).toBe(2)
  })
})
