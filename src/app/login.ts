import {UsageError} from '../errors.js'
import type {ConnectionFlagValues} from '../flags.js'
import type {LoginFlags} from '../sessions/login-plan.js'
import {log, note, type World} from './world.js'

export type LoginOptions = ConnectionFlagValues &
  LoginFlags & {
    'password-stdin'?: boolean
    'app-token-stdin'?: boolean
    'insecure-storage'?: boolean
    trace?: boolean
  }

/** Gets a ticket the chosen way, proves it, and stores it under the profile. */
export async function runLogin(opts: LoginOptions, world: World): Promise<unknown> {
  const [{readStdinSecrets}, {planLogin}, {activeProfileName, insecureSecretsPath, profilesPath}, {ProfileStore}] = await Promise.all([
    import('../connection/stdin.js'),
    import('../sessions/login-plan.js'),
    import('../sessions/session.js'),
    import('../sessions/profiles.js'),
  ])
  const {env} = world
  const profileName = activeProfileName(opts.profile, env)
  const stdinFlags = ['--ticket-stdin', '--password-stdin', '--app-token-stdin'].filter((f) => opts[f.slice(2) as 'ticket-stdin'])
  const stdin = await readStdinSecrets(stdinFlags, world.stdin, world.prompter)
  // Logging in again to a known profile needs only what changed: its URL (and user) are remembered.
  const known = new ProfileStore(profilesPath(world.configDir)).get(profileName)
  const remembered = {
    url: opts.url ?? env.SOEMAIL_URL ?? known?.url,
    username: opts.username ?? env.SOEMAIL_USERNAME ?? (known?.kind === 'onsite' && !otherLogin(opts, env) ? known.userName : undefined),
    'api-version': opts['api-version'] ?? env.SOEMAIL_API_VERSION ?? known?.apiVersion,
  }
  const withProfile = {...opts, ...Object.fromEntries(Object.entries(remembered).filter(([, v]) => v !== undefined))}
  let plan = planLogin(withProfile, stdin, env)
  if (plan.missing.length > 0 && !world.interactive) {
    throw new UsageError(`missing ${plan.missing.join(', ')}`, {hint: 'Give them as flags or environment variables (or run on a terminal to be asked).', details: {missing: plan.missing}})
  }

  // Decide where secrets go before asking for a password or contacting the server.
  let store
  if (opts['insecure-storage']) {
    const path = insecureSecretsPath(world.configDir)
    note(world, `Warning: --insecure-storage keeps the ticket in plain text in ${path} (mode 0600), readable by anyone who can read your files.`)
    store = world.sessions.openFileStore(path)
  } else {
    store = await world.sessions.openKeychain()
  }

  if (plan.missing.length > 0) plan = planLogin(await world.prompter.login(withProfile, plan), stdin, env)
  if (!plan.request) throw new UsageError(`missing ${plan.missing.join(', ')}`)

  const [{login}, {connect}, {SoapTransport}, {toCliError}] = await Promise.all([
    import('../sessions/login.js'),
    import('../connection/connect.js'),
    import('../soap/transport.js'),
    import('../hints/error-map.js'),
  ])
  const trace = opts.trace ? (line: string) => world.stderr.write(line) : undefined
  const connectOptions = {timeoutSeconds: opts.timeout, caFile: opts['ca-file'], allowHttp: opts['allow-http'] ?? false, trace}
  const result = await login(plan.request, {
    profileName,
    profiles: new ProfileStore(profilesPath(world.configDir)),
    store,
    connect: (url, apiVersion, ticket, appToken) => connect({url, apiVersion, ticket, appToken, ...connectOptions}),
    newTransport: () => new SoapTransport({timeoutMs: opts.timeout * 1000, caFile: opts['ca-file']}),
    now: () => world.clock.now(),
  }).catch((error: unknown) => {
    throw toCliError(error, {reloginHint: 'Check the credentials and run soemail login again.'})
  })
  const p = result.profile
  if (!world.json) {
    const who = p.associateName ? `${p.associateName} (${p.userName}, associate ${p.associateId})` : (p.userName ?? 'the ticket owner')
    log(world, `Logged in to ${p.url} as ${who}.`)
    log(world, `Profile ${result.profileName}; ticket stored in ${result.storedIn}.`)
  }
  return {profile: result.profileName, url: p.url, kind: p.kind, userName: p.userName, associateId: p.associateId, associateName: p.associateName, apiVersion: p.apiVersion, storage: p.storage, storedIn: result.storedIn}
}

/** A ticket or system-user login was asked for, so a remembered user name must not turn it into a password login. */
function otherLogin(opts: LoginOptions, env: NodeJS.ProcessEnv): boolean {
  return Boolean(opts['ticket-stdin'] || opts.ticket || opts['system-token'] || opts['private-key'] || env.SOEMAIL_TICKET || env.SOEMAIL_SYSTEM_TOKEN)
}
