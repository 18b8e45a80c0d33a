import {fetchText, parseAutoconfig, trustedCas, type AutoconfigServer, type FetchContext} from './autoconfig.js'
import {UsageError} from '../errors.js'
import {AgentSet} from '../soap/proxy.js'
import {dnsContext, dnsOutcome, type DnsContext} from './dns.js'
import {presetByDomain, presetByMx, type PasswordAuth, type ProviderPreset, type Security, type ServerPreset, type UserNameForm} from './presets.js'
import {chooseSrv, SRV_SERVICES} from './srv.js'
import {domainOf} from './names.js'

// Pure helpers the account commands use without loading detection's DNS and HTTPS code.
export {domainOf, formatServer, userNameFor} from './names.js'

/**
 * Finds a domain's IMAP and SMTP servers, asking in this order and saying which source answered:
 *   1. preset      the built-in table, by the address's domain (no network)
 *   2. mx          the domain's MX hosts, matched to a preset's MX suffixes (custom domains at Google, M365…)
 *   3. srv         RFC 6186/8314 SRV records: _imaps._tcp, _imap._tcp, _submissions._tcp, _submission._tcp
 *   4. autoconfig  https://autoconfig.<domain>/mail/config-v1.1.xml, then
 *                  https://<domain>/.well-known/autoconfig/mail/config-v1.1.xml
 *   5. ispdb       Thunderbird's ISPDB, <base>/<domain>, then <base>/<MX host's domain> (as Thunderbird does)
 * A side (incoming, outgoing) not answered by one source is looked for in the next. Every failure is an
 * answer ("not there"), recorded in `attempts`; detection never throws for the network.
 */

export type DetectionSource = 'preset' | 'mx' | 'srv' | 'autoconfig' | 'ispdb'

export interface DetectedServer {
  host: string
  port: number
  security: Security
  userName?: UserNameForm
  source: DetectionSource
  /** As a person reads it: "SRV _imaps._tcp", "built-in preset google", "ISPDB https://…". */
  from: string
}

export interface DetectionAttempt {
  source: DetectionSource
  /** The record or URL asked. */
  asked: string
  /** What came back: "found", "no record", "HTTP 404", "ETIMEDOUT"… */
  outcome: string
}

export interface Detection {
  domain: string
  /** Both sides found. */
  complete: boolean
  incoming?: DetectedServer
  outgoing?: DetectedServer
  /** The preset the domain or its MX matched (a name from presets.ts). */
  provider?: string
  /** How a password account fares, when the preset or autoconfig says (oauth-only: refuse, see policy.ts). */
  auth?: PasswordAuth
  note?: string
  /** The domain's MX hosts, best first; empty offline, when a preset answered by domain, or when there are none. */
  mx: string[]
  offline: boolean
  attempts: DetectionAttempt[]
}

export interface DetectorOptions {
  /** Only the built-in table: no DNS, no HTTPS. */
  offline?: boolean
  /** DNS servers ("host" or "host:port"); default: the system's. Env SOEMAIL_DNS_SERVER. */
  dnsServers?: string[]
  /** Base URL of the ISPDB, without the final /<domain>. Env SOEMAIL_ISPDB_URL. */
  ispdbUrl?: string
  /** The port of a domain's own autoconfig URLs (443 in real life; tests serve elsewhere). Env SOEMAIL_AUTOCONFIG_PORT. */
  autoconfigPort?: number
  /** An extra CA to trust for the autoconfig and ISPDB HTTPS requests (--ca-file). */
  caFile?: string
  /** Per HTTPS request. */
  timeoutMs?: number
  /** Where HTTPS_PROXY / NO_PROXY are read (default process.env). */
  env?: NodeJS.ProcessEnv
}

export const DEFAULT_ISPDB_URL = 'https://autoconfig.thunderbird.net/v1.1'
const DEFAULT_HTTP_TIMEOUT_MS = 4000

/** The environment variables detection reads (documented in README "Providers"). */
export const DETECT_ENV = {
  dnsServer: 'SOEMAIL_DNS_SERVER',
  ispdbUrl: 'SOEMAIL_ISPDB_URL',
  autoconfigPort: 'SOEMAIL_AUTOCONFIG_PORT',
} as const

/** SOEMAIL_DNS_SERVER, SOEMAIL_ISPDB_URL, SOEMAIL_AUTOCONFIG_PORT and the proxy variables of `env`; throws on a malformed value. */
export function detectorOptionsFromEnv(env: NodeJS.ProcessEnv): DetectorOptions {
  const servers = env[DETECT_ENV.dnsServer]?.split(',').map((s) => s.trim()).filter(Boolean)
  const port = env[DETECT_ENV.autoconfigPort]
  if (port !== undefined && !(/^\d{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65535)) throw new UsageError(`${DETECT_ENV.autoconfigPort} must be a port number (1-65535), not "${port}"`, {hint: 'Unset it to use 443, the real autoconfig port.'})
  return {
    env,
    ...(servers?.length ? {dnsServers: servers} : {}),
    ...(env[DETECT_ENV.ispdbUrl] ? {ispdbUrl: env[DETECT_ENV.ispdbUrl]} : {}),
    ...(port ? {autoconfigPort: Number(port)} : {}),
  }
}

export interface Detector {
  /** Cached per domain for the detector's life (one run); concurrent calls share one lookup. */
  detect(emailOrDomain: string): Promise<Readonly<Detection>>
  /** The domain's MX hosts, best first (cached; [] offline or on failure). For passwordPolicy. */
  mx(emailOrDomain: string): Promise<string[]>
}

/** One detector per run: its caches are the run's. */
export function createDetector(options: DetectorOptions = {}): Detector {
  const offline = options.offline ?? false
  // Built only when the network is used, so --offline never touches the resolver or reads the CA file.
  let network: {dns: DnsContext; http: FetchContext} | undefined
  const net = () => {
    if (!network) {
      const dns = dnsContext(options.dnsServers)
      const ca = trustedCas(options.caFile)
      const timeoutMs = options.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS
      network = {dns, http: {timeoutMs, lookup: dns.lookup, ca, agents: new AgentSet({ca, env: options.env, connectTimeoutMs: timeoutMs})}}
    }
    return network
  }
  const detections = new Map<string, Promise<Detection>>()
  const mxCache = new Map<string, Promise<{hosts: string[]; outcome: string}>>()

  const lookupMx = (domain: string) => {
    let found = mxCache.get(domain)
    if (!found) {
      found = net().dns.resolver.resolveMx(domain).then(
        (records) => {
          const hosts = records.sort((a, b) => a.priority - b.priority).map((r) => r.exchange.replace(/\.$/, '').toLowerCase()).filter(Boolean)
          return {hosts, outcome: hosts.length ? hosts.join(', ') : 'no record'}
        },
        (error) => ({hosts: [], outcome: dnsOutcome(error).text}),
      )
      mxCache.set(domain, found)
    }
    return found
  }

  const run = async (domain: string, email: string | undefined): Promise<Detection> => {
    const d: Detection = {domain, complete: false, mx: [], offline, attempts: []}
    const preset = presetByDomain(domain)
    d.attempts.push({source: 'preset', asked: domain, outcome: preset ? `found: ${preset.name}` : 'not in the built-in table'})
    if (preset) return fromPreset(d, preset, 'preset', `built-in preset ${preset.name}`)
    if (offline) return d

    const mx = await lookupMx(domain)
    d.mx = mx.hosts
    const byMx = mx.hosts.map((host) => ({host, preset: presetByMx(host)})).find((m) => m.preset)
    d.attempts.push({source: 'mx', asked: `MX ${domain}`, outcome: byMx ? `${mx.outcome} → ${byMx.preset!.name}` : mx.hosts.length ? `${mx.outcome} (no known provider)` : mx.outcome})
    if (byMx) return fromPreset(d, byMx.preset!, 'mx', `MX ${byMx.host} → ${byMx.preset!.name}`)

    await srv(d)
    if (d.complete) return d
    const query = email ? `?emailaddress=${encodeURIComponent(email)}` : ''
    const port = options.autoconfigPort && options.autoconfigPort !== 443 ? `:${options.autoconfigPort}` : ''
    for (const url of [`https://autoconfig.${domain}${port}/mail/config-v1.1.xml${query}`, `https://${domain}${port}/.well-known/autoconfig/mail/config-v1.1.xml${query}`]) {
      if (await autoconfig(d, 'autoconfig', url, url.replace(/\?.*$/, ''))) return d
    }
    const base = (options.ispdbUrl ?? DEFAULT_ISPDB_URL).replace(/\/+$/, '')
    if (await autoconfig(d, 'ispdb', `${base}/${domain}`)) return d
    // Thunderbird's next step: the ISPDB entry of the MX host's domain (a hoster serving custom domains).
    const mxDomain = mx.hosts[0]?.split('.').slice(-2).join('.')
    if (mxDomain && mxDomain !== domain) await autoconfig(d, 'ispdb', `${base}/${mxDomain}`, `${base}/${mxDomain} (by MX ${mx.hosts[0]})`)
    return d
  }

  // The four names are asked at once (a slow resolver costs one timeout, not four) and used in order.
  const srv = async (d: Detection) => {
    const services = (['incoming', 'outgoing'] as const).flatMap((side) => SRV_SERVICES[side].map((service) => ({side, service, name: `${service.name}.${d.domain}`})))
    const answers = await Promise.all(
      services.map(({name}) => net().dns.resolver.resolveSrv(name).then(
        (records) => chooseSrv(records),
        (error) => ({offered: false as const, reason: dnsOutcome(error).text}),
      )),
    )
    services.forEach(({side, service, name}, i) => {
      const outcome = answers[i]!
      d.attempts.push({source: 'srv', asked: `SRV ${name}`, outcome: outcome.offered ? `${outcome.host}:${outcome.port}` : outcome.reason})
      if (outcome.offered && !d[side]) d[side] = {host: outcome.host, port: outcome.port, security: service.security, source: 'srv', from: `SRV ${service.name}`}
    })
    d.complete = Boolean(d.incoming && d.outgoing)
  }

  /** True when both sides are now known. */
  const autoconfig = async (d: Detection, source: 'autoconfig' | 'ispdb', url: string, shown = url): Promise<boolean> => {
    const fetched = await fetchText(url, net().http)
    let outcome = fetched.ok ? 'found' : fetched.outcome
    if (fetched.ok) {
      try {
        const config = parseAutoconfig(fetched.body, d.domain)
        const label = `${source === 'ispdb' ? 'ISPDB' : 'autoconfig'} ${shown}`
        const took = fill(d, source, label, config.incoming, config.outgoing)
        outcome = took.length ? `found: ${took.join(', ')}` : 'no IMAP/SMTP server with TLS in it'
        const oauthOnly = [config.incoming, config.outgoing].some((s) => s && s.authentication.length > 0 && s.authentication.every((a) => a === 'OAuth2'))
        if (took.length && oauthOnly) d.auth = 'oauth-only'
      } catch (error) {
        outcome = `unreadable: ${(error as Error).message}`
      }
    }
    d.attempts.push({source, asked: shown, outcome})
    return d.complete
  }

  const fill = (d: Detection, source: DetectionSource, from: string, incoming?: AutoconfigServer, outgoing?: AutoconfigServer): string[] => {
    const took: string[] = []
    const side = (s: AutoconfigServer): DetectedServer => ({host: s.host, port: s.port, security: s.security, userName: s.userName, source, from})
    if (!d.incoming && incoming) {
      d.incoming = side(incoming)
      took.push('IMAP')
    }
    if (!d.outgoing && outgoing) {
      d.outgoing = side(outgoing)
      took.push('SMTP')
    }
    d.complete = Boolean(d.incoming && d.outgoing)
    return took
  }

  return {
    detect(emailOrDomain) {
      const domain = domainOf(emailOrDomain)
      if (!domain) return Promise.reject(new Error(`"${emailOrDomain}" is not an e-mail address or a domain`))
      const email = emailOrDomain.includes('@') ? emailOrDomain.trim() : undefined
      let found = detections.get(domain)
      if (!found) {
        // Frozen: every row of an import with this domain shares the one object.
        found = run(domain, email).then(freeze)
        detections.set(domain, found)
      }
      return found
    },
    async mx(emailOrDomain) {
      const domain = domainOf(emailOrDomain)
      if (!domain || offline) return []
      return (await lookupMx(domain)).hosts
    },
  }
}

function freeze(d: Detection): Detection {
  for (const part of [d.incoming, d.outgoing, d.mx, d.attempts, ...d.attempts]) if (part) Object.freeze(part)
  return Object.freeze(d)
}

function fromPreset(d: Detection, preset: ProviderPreset, source: DetectionSource, from: string): Detection {
  const side = (s: ServerPreset | undefined): DetectedServer | undefined => (s ? {host: s.host, port: s.port, security: s.security, userName: s.userName, source, from} : undefined)
  d.provider = preset.name
  d.auth = preset.auth
  d.note = preset.note
  d.incoming = side(preset.incoming)
  d.outgoing = side(preset.outgoing)
  d.complete = Boolean(d.incoming && d.outgoing)
  return d
}
