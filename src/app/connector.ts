import type {SecretAsker} from '../connection/stdin.js'
import {callWithRelogin, COMMAND_RETRIES, NO_RETRIES, onlyOnce} from '../connection/call-policy.js'
import type {ConnectionFlagValues} from '../flags.js'
import type {SettingSource} from '../sessions/resolve.js'
import type {SessionContext} from '../sessions/session.js'
import type {CommandSession, SessionOptions} from './world.js'

export interface ConnectorDeps {
  sessions: SessionContext
  stdin: NodeJS.ReadableStream
  /** Asks for --ticket-stdin with a masked prompt when stdin is a terminal. */
  asker?: SecretAsker
  /** Where --trace writes the redacted exchanges (stderr). */
  trace: (line: string) => void
  /** Notices for stderr, such as a renewed session. */
  note: (message: string) => void
  /** Connections opened, so the command can close them when it ends. */
  opened: Array<{close(): void}>
}

/**
 * How the user gets a ticket that works, for where the rejected one came from: a stale SOEMAIL_TICKET
 * wins over a good keychain ticket, and "run soemail login" would not help until it is unset.
 */
export function reloginHint(profileName = 'default', source?: SettingSource): string {
  const login = `soemail login${profileName === 'default' ? '' : ` --profile ${profileName}`}`
  switch (source) {
    case 'env':
      return `The ticket came from SOEMAIL_TICKET, which is used before the one ${login} stores: set a current ticket in it, or unset SOEMAIL_TICKET.`
    case 'flag':
      return `The ticket came from --ticket: pass a current one, or leave the flag out to use the one ${login} stores.`
    case 'stdin':
      return `The ticket came from --ticket-stdin: give it a current one, or leave the flag out to use the one ${login} stores.`
    case 'keychain':
    case 'file':
      return `The ticket came from the ${source === 'file' ? 'insecure file store' : 'keychain'} (profile ${profileName}): run ${login} to get a new one.`
    default:
      return `Run ${login} to get a new one, or pass a ticket with --ticket-stdin or SOEMAIL_TICKET.`
  }
}

/** Without `options.stdinTicket`, --ticket-stdin is read here, so every command that connects honours it. */
export async function openSession(deps: ConnectorDeps, flags: ConnectionFlagValues & {trace?: boolean}, options: SessionOptions = {}): Promise<CommandSession> {
  let {stdinTicket} = options
  if (stdinTicket === undefined && flags['ticket-stdin']) {
    const {readStdinSecrets} = await import('../connection/stdin.js')
    stdinTicket = (await readStdinSecrets(['--ticket-stdin'], deps.stdin, deps.asker)).get('--ticket-stdin')
  }
  const [{requireConnection}, {connect}, {toCliError}, {resolveSession}] = await Promise.all([
    import('../sessions/resolve.js'),
    import('../connection/connect.js'),
    import('../hints/error-map.js'),
    import('../sessions/session.js'),
  ])
  const session = await resolveSession({profile: flags.profile, url: flags.url, ticket: flags.ticket, appToken: flags['app-token'], apiVersion: flags['api-version']}, deps.sessions, stdinTicket)
  const c = requireConnection(session.settings, session.profileName)
  const hint = {reloginHint: reloginHint(session.profileName, session.settings.ticket?.source)}
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
