import {randomBytes} from 'node:crypto'
import {resolveConnection, type ConnectionFlags} from './resolve.js'
import {endpointUrl, type ApiVersion} from '../soap/versions.js'
import {checkBaseUrl} from '../soap/endpoint.js'
import {ExitCode} from '../errors.js'
import {ProfileStore} from './profiles.js'
import {probeKeychain} from '../keychain/probe.js'
import {keychainHint} from '../keychain/secret-store.js'
import {activeProfileName, profilesPath, type SessionContext} from './session.js'

export interface Check {
  name: string
  ok: boolean
  detail: string
  /** What to do about it. */
  fix?: string
  /** The exit code this failure maps to. */
  exitCode?: number
  skipped?: boolean
}

export interface DoctorOptions {
  timeoutMs: number
  caFile?: string
  allowHttp: boolean
  now?: () => Date
  /** Clock differences above this break system-user tokens (SuperOffice error ID4148). */
  maxSkewSeconds?: number
  fetchWsdl?: (url: string) => Promise<WsdlAnswer>
}

interface WsdlAnswer {
  status: number
  body: string
  date?: string
  /** The proxy the request went through, as it may be printed. */
  proxy?: string
}

export async function runDoctor(flags: ConnectionFlags & {profile?: string}, ctx: SessionContext, options: DoctorOptions): Promise<Check[]> {
  const checks: Check[] = [await keychainCheck(ctx), profileFileCheck(ctx)]
  let url: string | undefined
  let version: ApiVersion = '87'
  try {
    // Only URL and version: the doctor must not need a working keychain to check the endpoint.
    const name = activeProfileName(flags.profile, ctx.env)
    const profile = new ProfileStore(profilesPath(ctx.configDir)).get(name)
    const settings = resolveConnection(flags, ctx.env, undefined, {name, url: profile?.url, apiVersion: profile?.apiVersion})
    url = settings.url?.value
    version = settings.apiVersion.value
  } catch {
    // A damaged profile file is reported by its own check.
  }
  if (!url) {
    checks.push({name: 'endpoint', ok: true, skipped: true, detail: 'no URL configured (pass --url, set SOEMAIL_URL or log in); endpoint, TLS and clock not checked'})
    return checks
  }
  checks.push(...(await endpointChecks(url, version, options)))
  return checks
}

async function keychainCheck(ctx: SessionContext): Promise<Check> {
  const probe = await probeKeychain({env: ctx.env})
  if (!probe.ok) {
    return {
      name: 'keychain',
      ok: false,
      detail: probe.message,
      fix: keychainHint(probe.reason),
      exitCode: ExitCode.CREDENTIAL_STORE,
    }
  }
  // A real write, read and delete: a reachable but read-only or broken store fails here.
  const profile = `doctor-${randomBytes(4).toString('hex')}`
  const value = randomBytes(12).toString('base64')
  try {
    const store = await ctx.openKeychain()
    await store.set(profile, 'ticket', value)
    const back = await store.get(profile, 'ticket')
    const removed = await store.delete(profile, 'ticket')
    if (back !== value || !removed) throw new Error('the test item did not read back or could not be removed')
    return {name: 'keychain', ok: true, detail: `${store.location}: write, read and delete work`}
  } catch (error) {
    return {name: 'keychain', ok: false, detail: `the keychain is reachable but a test item failed: ${(error as Error).message}`, fix: 'Unlock the default collection of your keyring, or recreate it.', exitCode: ExitCode.CREDENTIAL_STORE}
  }
}

function profileFileCheck(ctx: SessionContext): Check {
  const store = new ProfileStore(profilesPath(ctx.configDir))
  const mode = store.mode()
  if (mode === undefined) return {name: 'profile file', ok: true, detail: `${store.path} does not exist yet (created by soemail login)`}
  try {
    const count = Object.keys(store.list()).length
    if (mode & 0o077) return {name: 'profile file', ok: false, detail: `${store.path} has mode ${mode.toString(8)}; others can read it`, fix: `chmod 600 ${store.path}`, exitCode: ExitCode.UNEXPECTED}
    return {name: 'profile file', ok: true, detail: `${store.path} (mode 600, ${count} profile${count === 1 ? '' : 's'})`}
  } catch (error) {
    return {name: 'profile file', ok: false, detail: (error as Error).message, fix: `Fix or delete ${store.path}, then log in again.`, exitCode: ExitCode.UNEXPECTED}
  }
}

async function endpointChecks(base: string, version: ApiVersion, options: DoctorOptions): Promise<Check[]> {
  const url = `${endpointUrl(base, version, 'EMail')}?wsdl`
  try {
    checkBaseUrl(base, options.allowHttp)
  } catch (error) {
    return [{name: 'endpoint', ok: false, detail: (error as Error).message, fix: 'Use an https:// URL (or --allow-http).', exitCode: ExitCode.USAGE}]
  }
  const fetchWsdl = options.fetchWsdl ?? ((u: string) => defaultFetch(u, options))
  let res: WsdlAnswer
  try {
    res = await fetchWsdl(url)
  } catch (error) {
    const message = (error as Error).message
    const tls = /certificate|CERT|TLS|SSL/i.test(message)
    return [
      {
        name: tls ? 'TLS' : 'endpoint',
        ok: false,
        detail: `${url}: ${message}`,
        fix: tls ? 'If the server uses a private CA, pass it with --ca-file FILE.' : 'Check --url, DNS, firewall and proxy (HTTPS_PROXY).',
        exitCode: ExitCode.SERVER,
      },
    ]
  }
  const checks: Check[] = []
  if (res.status === 200 && /<(\w+:)?definitions[\s>]/.test(res.body)) {
    checks.push({name: 'endpoint', ok: true, detail: `${url} answers with the EMail WSDL${res.proxy ? ` (through the proxy ${res.proxy})` : ''}`})
    if (url.startsWith('https:')) checks.push({name: 'TLS', ok: true, detail: 'certificate chain verified'})
  } else {
    checks.push({name: 'endpoint', ok: false, detail: `${url} answered HTTP ${res.status}${/<html/i.test(res.body) ? ' with an HTML page' : ''}, not the EMail WSDL`, fix: 'Check --url (the installation base, e.g. https://crm.example.com/SuperOffice) and --api-version.', exitCode: ExitCode.SERVER})
  }
  if (res.date) {
    const skew = Math.round((Date.parse(res.date) - (options.now ?? (() => new Date()))().getTime()) / 1000)
    const max = options.maxSkewSeconds ?? 300
    checks.push(
      Math.abs(skew) <= max
        ? {name: 'clock', ok: true, detail: `within ${Math.abs(skew)} s of the server`}
        : {name: 'clock', ok: false, detail: `this machine's clock is ${Math.abs(skew)} s ${skew > 0 ? 'behind' : 'ahead of'} the server's; system-user tokens are refused beyond ${max} s`, fix: 'Synchronise the clock (e.g. timedatectl set-ntp true).', exitCode: ExitCode.UNEXPECTED},
    )
  }
  return checks
}

/** Through the same agents as the SOAP calls, so the doctor sees what the other commands would: CA, proxy, NO_PROXY. */
async function defaultFetch(url: string, options: DoctorOptions): Promise<WsdlAnswer> {
  const [{SoapTransport, DEFAULT_MAX_RESPONSE}, {httpGet}] = await Promise.all([import('../soap/transport.js'), import('../soap/http-get.js')])
  const transport = new SoapTransport({timeoutMs: options.timeoutMs, caFile: options.caFile})
  try {
    const res = await httpGet(url, {agents: transport.agents, timeoutMs: options.timeoutMs, maxBytes: DEFAULT_MAX_RESPONSE})
    const date = res.headers.date
    return {status: res.status, body: res.body.slice(0, 200_000), date: typeof date === 'string' ? date : undefined, proxy: res.proxy}
  } finally {
    transport.close()
  }
}
