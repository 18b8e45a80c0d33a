import {readFileSync} from 'node:fs'
import {rootCertificates} from 'node:tls'
import {UsageError} from '../errors.js'
import type {AgentSet} from '../soap/proxy.js'
import {parseXml, type XElement} from '../soap/xml-tree.js'
import type {LookupFunction} from './dns.js'
import type {Security, UserNameForm} from './presets.js'

/**
 * Thunderbird's autoconfig format (config-v1.1.xml), as served by a domain's own autoconfig host and by
 * the ISPDB: https://wiki.mozilla.org/Thunderbird:Autoconfiguration:ConfigFileFormat. Only what an IMAP
 * + SMTP account needs is read; saxes (through xml-tree) never expands entities.
 */
export interface AutoconfigServer {
  host: string
  port: number
  security: Security
  userName: UserNameForm
  /** The <authentication> values, e.g. password-cleartext, OAuth2. */
  authentication: string[]
}

export interface Autoconfig {
  displayName?: string
  incoming?: AutoconfigServer
  outgoing?: AutoconfigServer
}

const SOCKET: Record<string, Security> = {SSL: 'tls', STARTTLS: 'starttls'}
const HOST = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/

/** Throws on a document that is not a clientConfig; a server soemail cannot use is left out. */
export function parseAutoconfig(xml: string, domain: string): Autoconfig {
  const root = parseXml(xml)
  if (root.local !== 'clientConfig') throw new Error(`not an autoconfig file (root element <${root.local}>, expected <clientConfig>)`)
  const provider = root.children.find((c) => c.local === 'emailProvider')
  if (!provider) throw new Error('no <emailProvider> in the autoconfig file')
  const pick = (tag: string, type: string) => provider.children.filter((c) => c.local === tag && c.attrs.get('type') === type).map((c) => server(c, domain)).find((s) => s !== undefined)
  return {displayName: text(provider, 'displayName'), incoming: pick('incomingServer', 'imap'), outgoing: pick('outgoingServer', 'smtp')}
}

/** The first one the provider lists that uses TLS: a plain-text server would send the password in clear. */
function server(el: XElement, domain: string): AutoconfigServer | undefined {
  const host = text(el, 'hostname')?.replaceAll('%EMAILDOMAIN%', domain).toLowerCase()
  const port = Number(text(el, 'port'))
  const security = SOCKET[text(el, 'socketType') ?? '']
  if (!host || !HOST.test(host) || !Number.isInteger(port) || port < 1 || port > 65535 || !security) return undefined
  const user = text(el, 'username') ?? '%EMAILADDRESS%'
  const userName: UserNameForm = user === '%EMAILADDRESS%' ? 'address' : user === '%EMAILLOCALPART%' ? 'local-part' : 'mailbox-user'
  const authentication = el.children.filter((c) => c.local === 'authentication').map((c) => c.text.trim())
  return {host, port, security, userName, authentication}
}

function text(el: XElement, name: string): string | undefined {
  const value = el.children.find((c) => c.local === name)?.text.trim()
  return value ? value : undefined
}

export interface FetchContext {
  timeoutMs: number
  lookup?: LookupFunction
  ca?: string[]
  /** The SOAP calls' agents: HTTPS_PROXY / NO_PROXY apply to these requests as they do to those. */
  agents: AgentSet
}

export type Fetched = {ok: true; body: string} | {ok: false; outcome: string}

/** An autoconfig file is a few kB; a server that sends more is not serving one. */
const MAX_BYTES = 256 * 1024

/**
 * One GET, no retries: each failure is an answer ("not there"), reported and passed over. Redirects (a
 * domain's autoconfig host often sends clients to its provider's) are followed to https:// only.
 * Through a proxy the proxy resolves the host; directly, SOEMAIL_DNS_SERVER's resolver does when set.
 */
export async function fetchText(url: string, ctx: FetchContext): Promise<Fetched> {
  let route
  try {
    route = ctx.agents.route(new URL(url))
  } catch (error) {
    return {ok: false, outcome: (error as Error).message}
  }
  const {default: got} = await import('got')
  const request = got(url, {
    timeout: {request: ctx.timeoutMs},
    retry: {limit: 0},
    throwHttpErrors: false,
    maxRedirects: 3,
    headers: {accept: 'application/xml, text/xml;q=0.9, */*;q=0.1', 'user-agent': 'soemail'},
    hooks: {
      beforeRedirect: [
        (options) => {
          if ((options.url as URL | undefined)?.protocol !== 'https:') throw new Error(`redirected to ${String(options.url)}, which is not https://`)
        },
      ],
    },
    ...(route.proxy ? {agent: route.agent} : ctx.lookup ? {dnsLookup: ctx.lookup as never} : {}),
    ...(ctx.ca ? {https: {certificateAuthority: ctx.ca}} : {}),
  })
  request.on('downloadProgress', (progress: {transferred: number}) => {
    if (progress.transferred > MAX_BYTES) request.cancel(`larger than ${MAX_BYTES} bytes`)
  })
  try {
    const response = await request
    if (response.statusCode !== 200) return {ok: false, outcome: `HTTP ${response.statusCode}`}
    return {ok: true, body: response.body}
  } catch (error) {
    const e = error as {code?: string; message: string; name?: string}
    if (e.name === 'CancelError') return {ok: false, outcome: `answer larger than ${MAX_BYTES} bytes`}
    return {ok: false, outcome: e.code ? `${e.code}` : e.message}
  }
}

/** Node's roots plus the --ca-file certificate, as the SOAP transport trusts them. */
export function trustedCas(caFile: string | undefined): string[] | undefined {
  if (!caFile) return undefined
  try {
    return [...rootCertificates, readFileSync(caFile, 'utf8')]
  } catch (error) {
    throw new UsageError(`cannot read the CA file ${caFile}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, {hint: 'Give --ca-file a readable PEM file.'})
  }
}
