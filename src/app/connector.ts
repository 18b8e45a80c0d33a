import {callWithRelogin, COMMAND_RETRIES, NO_RETRIES, onlyOnce} from '../connection/call-policy.js'
import type {ConnectionFlagValues} from '../flags.js'
import type {SessionContext} from '../sessions/session.js'
import type {CommandSession, SessionOptions} from './world.js'

export interface ConnectorDeps {
  sessions: SessionContext
  stdin: NodeJS.ReadableStream
  /** Where --trace writes the redacted exchanges (stderr). */
  trace: (line: string) => void
  /** Notices for stderr, such as a renewed session. */
  note: (message: string) => void
  /** Connections opened, so the command can close them when it ends. */
  opened: Array<{close(): void}>
}

/** How the user gets a new ticket, named for the profile in use. */
export function reloginHint(profileName = 'default'): string {
  return `Run soemail login${profileName === 'default' ? '' : ` --profile ${profileName}`} to get a new one, or pass a ticket with --ticket-stdin or SOEMAIL_TICKET.`
}

/** Without `options.stdinTicket`, --ticket-stdin is read here, so every command that connects honours it. */
export async function openSession(deps: ConnectorDeps, flags: ConnectionFlagValues & {trace?: boolean}, options: SessionOptions = {}): Promise<CommandSession> {
  let {stdinTicket} = options
  if (stdinTicket === undefined && flags['ticket-stdin']) {
    const {readStdinSecrets} = await import('../connection/stdin.js')
    stdinTicket = (await readStdinSecrets(['--ticket-stdin'], deps.stdin)).get('--ticket-stdin')
  }
  const [{requireConnection}, {connect}, {toCliError}, {resolveSession}] = await Promise.all([
    import('../sessions/resolve.js'),
    import('../connection/connect.js'),
    import('../hints/error-map.js'),
    import('../sessions/session.js'),
  ])
  const session = await resolveSession({profile: flags.profile, url: flags.url, ticket: flags.ticket, appToken: flags['app-token'], apiVersion: flags['api-version']}, deps.sessions, stdinTicket)
  const c = requireConnection(session.settings, session.profileName)
  const hint = {reloginHint: reloginHint(session.profileName)}
  let connection
  try {
    connection = connect({
      ...c,
      timeoutSeconds: flags.timeout,
      caFile: flags['ca-file'],
      allowHttp: flags['allow-http'] ?? false,
      trace: flags.trace ? deps.trace : undefined,
      retry: options.bulk ? NO_RETRIES : COMMAND_RETRIES,
    })
  } catch (error) {
    throw toCliError(error, hint)
  }
  deps.opened.push(connection)
  // One re-login per command, whoever asks first.
  const renewTicket = onlyOnce(async () => {
    const {relogin} = await import('../sessions/relogin.js')
    const renewed = await relogin(connection, session, deps.sessions).catch((reloginError: unknown) => {
      throw toCliError(reloginError, hint)
    })
    if (renewed) deps.note(`The session had expired; logged in again (${renewed.how}) and retrying.`)
    return Boolean(renewed)
  })
  return {...connection, session, call: (fn) => callWithRelogin(fn, renewTicket, (error) => toCliError(error, hint)), renewTicket}
}
