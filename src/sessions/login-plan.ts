import {DEFAULT_API_VERSION, isApiVersion, type ApiVersion} from '../soap/versions.js'
import {UsageError} from '../errors.js'
import {ENV} from './resolve.js'
import type {LoginRequest} from './login.js'

export interface LoginFlags {
  url?: string
  'api-version'?: string
  username?: string
  password?: string
  ticket?: string
  'system-token'?: string
  'private-key'?: string
  'context-id'?: string
  'app-token'?: string
  'login-url'?: string
}

export interface LoginPlan {
  mode: LoginRequest['kind']
  request?: LoginRequest
  /** Flags still needed, named as the user would type them. */
  missing: string[]
}

const nonEmpty = (v: string | undefined) => (v === undefined || v === '' ? undefined : v)

/** Which login the user asked for and what it still lacks; flag > stdin > environment for each value. */
export function planLogin(flags: LoginFlags, stdin: Map<string, string>, env: NodeJS.ProcessEnv): LoginPlan {
  const version = nonEmpty(flags['api-version']) ?? nonEmpty(env[ENV.apiVersion]) ?? DEFAULT_API_VERSION
  if (!isApiVersion(version)) throw new UsageError(`API version "${version}" is not one of 86, 87, 88`)
  const apiVersion: ApiVersion = version
  const url = nonEmpty(flags.url) ?? nonEmpty(env[ENV.url])
  const appToken = nonEmpty(flags['app-token']) ?? stdin.get('--app-token-stdin') ?? nonEmpty(env[ENV.appToken])
  const systemToken = nonEmpty(flags['system-token']) ?? nonEmpty(env.SOEMAIL_SYSTEM_TOKEN)
  const userName = nonEmpty(flags.username) ?? nonEmpty(env.SOEMAIL_USERNAME)
  const ticket = stdin.get('--ticket-stdin') ?? nonEmpty(flags.ticket) ?? (userName ? undefined : nonEmpty(env[ENV.ticket]))

  if (systemToken || flags['private-key'] || flags['context-id']) {
    const missing = [
      ...(systemToken ? [] : ['--system-token (or SOEMAIL_SYSTEM_TOKEN)']),
      ...(flags['private-key'] ? [] : ['--private-key']),
      ...(flags['context-id'] ? [] : ['--context-id']),
      ...(appToken ? [] : ['--app-token (or --app-token-stdin, SOEMAIL_APP_TOKEN)']),
      ...(url || flags['login-url'] ? [] : ['--url']),
    ]
    return {
      mode: 'system-user',
      missing,
      request: missing.length > 0 ? undefined : {kind: 'system-user', url, apiVersion, systemToken: systemToken!, privateKeyFile: flags['private-key']!, contextIdentifier: flags['context-id']!, appToken: appToken!, loginBaseUrl: nonEmpty(flags['login-url'])},
    }
  }
  if (ticket && !userName) {
    const missing = url ? [] : ['--url']
    return {mode: 'ticket', missing, request: url ? {kind: 'ticket', url, apiVersion, ticket, appToken} : undefined}
  }
  const password = nonEmpty(flags.password) ?? stdin.get('--password-stdin') ?? nonEmpty(env.SOEMAIL_PASSWORD)
  const missing = [...(url ? [] : ['--url']), ...(userName ? [] : ['--username']), ...(password === undefined ? ['--password-stdin (or SOEMAIL_PASSWORD)'] : [])]
  return {mode: 'onsite', missing, request: missing.length > 0 ? undefined : {kind: 'onsite', url: url!, apiVersion, userName: userName!, password: password!, appToken}}
}
