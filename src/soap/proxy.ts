/**
 * Which proxy a request goes through, read from the environment the way curl reads it, and the agents
 * that carry requests through it without giving up keep-alive.
 *
 * - https:// targets use https_proxy, then HTTPS_PROXY; http:// targets use http_proxy, then HTTP_PROXY.
 *   Unlike curl, the upper-case HTTP_PROXY is honoured too: curl ignores it only because a CGI program
 *   gets it from a request header ("httpoxy"), which cannot happen to a command-line tool.
 * - no_proxy, then NO_PROXY: comma-separated entries, matched against the URL's host as written (no DNS).
 *   `*` means every host (curl needs it to be the whole value; here any entry may be it, as in Go and
 *   most other tools); `example.com`, `.example.com` and `*.example.com` all match example.com and its
 *   subdomains; an IP address or CIDR block (10.0.0.0/8, ::1/128) matches addresses only; `host:port`
 *   matches that port only. Loopback is not excluded implicitly, as in curl: a proxy variable applies to
 *   127.0.0.1 unless NO_PROXY names it, so a developer's proxy settings behave the same for every tool.
 * - A proxy without a scheme is http://, without a port 80 (443 for https://; curl's 1080 surprises more
 *   people than it helps). Only http:// and https:// proxies are supported; ALL_PROXY is not read, as it
 *   usually names a SOCKS proxy.
 *
 * https:// targets are tunnelled with CONNECT, so the proxy never sees the SOAP traffic; http:// targets
 * are sent to the proxy with the absolute URI in the request line, as curl does, because many proxies
 * (Squid's default configuration among them) allow CONNECT only to port 443.
 *
 * Credentials in the proxy URL are sent as Proxy-Authorization and kept out of every message: errors
 * and notices name the proxy by scheme, host and port only.
 */
import http from 'node:http'
import https from 'node:https'
import {BlockList, createConnection, isIP, type Socket} from 'node:net'
import type {Duplex} from 'node:stream'
import tls from 'node:tls'
import {EndpointPolicyError, isTlsFailureCode} from './errors.js'

export interface ProxyChoice {
  /** The proxy's scheme, host and port: safe to print. */
  display: string
  /** The environment variable it came from, for messages. */
  variable: string
  protocol: 'http:' | 'https:'
  hostname: string
  port: number
}

/** Why the proxy could not be used; the request never left this machine. */
export class ProxyError extends Error {
  override name = 'ProxyError'
  constructor(readonly code: string, message: string) {
    super(message)
  }
}

type Env = Record<string, string | undefined>

interface NoProxyRule {
  name?: string
  ips?: BlockList
  port?: number
}

interface NoProxyList {
  all: boolean
  rules: NoProxyRule[]
}

function envValue(env: Env, names: string[]): {name: string; value: string} | undefined {
  for (const name of names) {
    const value = env[name]?.trim()
    if (value) return {name, value}
  }
  return undefined
}

export function parseNoProxy(text: string | undefined): NoProxyList {
  const list: NoProxyList = {all: false, rules: []}
  for (const raw of (text ?? '').split(',')) {
    let entry = raw.trim().toLowerCase()
    if (!entry) continue
    if (entry === '*') {
      list.all = true
      continue
    }
    if (entry.startsWith('*.')) entry = entry.slice(1)
    let port: number | undefined
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry)
    if (bracketed) {
      entry = bracketed[1] ?? ''
      port = bracketed[2] ? Number(bracketed[2]) : undefined
    } else if (/^[^:]+:\d+$/.test(entry)) {
      const at = entry.lastIndexOf(':')
      port = Number(entry.slice(at + 1))
      entry = entry.slice(0, at)
    }
    const slash = entry.indexOf('/')
    const address = slash === -1 ? entry : entry.slice(0, slash)
    const family = isIP(address)
    if (family) {
      const ips = new BlockList()
      const type = family === 6 ? 'ipv6' : 'ipv4'
      try {
        if (slash === -1) ips.addAddress(address, type)
        else ips.addSubnet(address, Number(entry.slice(slash + 1)), type)
      } catch {
        // A malformed prefix length; curl skips such entries too.
        continue
      }
      list.rules.push({ips, port})
    } else if (slash === -1) {
      const name = entry.replace(/^\.+|\.+$/g, '')
      if (name) list.rules.push({name, port})
    }
  }
  return list
}

/** True when NO_PROXY says this host (and port) is reached directly. */
export function bypassesProxy(target: URL, noProxy: NoProxyList): boolean {
  if (noProxy.all) return true
  const host = target.hostname.replace(/^\[|\]$/g, '').toLowerCase().replace(/\.$/, '')
  const port = Number(target.port) || (target.protocol === 'https:' ? 443 : 80)
  const family = isIP(host)
  return noProxy.rules.some((rule) => {
    if (rule.port !== undefined && rule.port !== port) return false
    if (family) return rule.ips?.check(host, family === 6 ? 'ipv6' : 'ipv4') ?? false
    return rule.name !== undefined && (host === rule.name || host.endsWith(`.${rule.name}`))
  })
}

interface ProxyConfig extends ProxyChoice {
  authorization?: string
}

function parseProxyUrl(value: string, variable: string): ProxyConfig {
  let url: URL
  try {
    url = new URL(/^[a-z][a-z\d+.-]*:\/\//i.test(value) ? value : `http://${value}`)
  } catch {
    // The value may hold a password, so it is not repeated.
    throw new EndpointPolicyError('bad-url', `${variable} is not a usable proxy URL; expected e.g. http://proxy.example.com:3128`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new EndpointPolicyError('bad-url', `${variable} names a ${url.protocol.replace(':', '')} proxy; soemail supports http:// and https:// proxies only (or exclude the host with NO_PROXY)`)
  }
  if (!url.hostname) throw new EndpointPolicyError('bad-url', `${variable} names no proxy host`)
  const protocol = url.protocol
  const port = Number(url.port) || (protocol === 'https:' ? 443 : 80)
  const config: ProxyConfig = {display: `${protocol}//${url.host}`, variable, protocol, hostname: url.hostname.replace(/^\[|\]$/g, ''), port}
  if (url.username || url.password) {
    const decode = (s: string) => {
      try {
        return decodeURIComponent(s)
      } catch {
        return s
      }
    }
    config.authorization = `Basic ${Buffer.from(`${decode(url.username)}:${decode(url.password)}`).toString('base64')}`
  }
  return config
}

/** The proxy for this URL under these environment variables, or undefined for a direct connection. */
export function proxyFor(target: URL, env: Env): ProxyChoice | undefined {
  const config = proxyConfigFor(target, env, parseNoProxy(envValue(env, ['no_proxy', 'NO_PROXY'])?.value))
  if (!config) return undefined
  const {authorization: _authorization, ...choice} = config
  return choice
}

function proxyConfigFor(target: URL, env: Env, noProxy: NoProxyList): ProxyConfig | undefined {
  const names = target.protocol === 'https:' ? ['https_proxy', 'HTTPS_PROXY'] : target.protocol === 'http:' ? ['http_proxy', 'HTTP_PROXY'] : []
  const found = envValue(env, names)
  if (!found || bypassesProxy(target, noProxy)) return undefined
  return parseProxyUrl(found.value, found.name)
}

export interface AgentSetOptions {
  /** Trusted CAs for servers and https:// proxies; undefined means Node's defaults. */
  ca?: string[]
  /** Where the proxy variables are read (default process.env). */
  env?: Env
  /** How long reaching the proxy and opening a tunnel may take. */
  connectTimeoutMs?: number
}

export interface Route {
  agent: {http?: http.Agent; https?: https.Agent}
  /** The proxy used, as it may be printed; undefined for a direct connection. */
  proxy?: string
}

const KEEP_ALIVE = {keepAlive: true, maxSockets: 64}
/** How long a connection may take to open unless told otherwise (TLS included). */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000

/** One keep-alive agent per way out (direct, or through the proxy for http:// or https://), made on first use. */
export class AgentSet {
  private readonly env: Env
  private readonly noProxy: NoProxyList
  private readonly direct: {http: http.Agent; https: https.Agent}
  private readonly proxied = new Map<string, {agent: http.Agent; display: string}>()
  private readonly routes = new Map<string, Route>()

  constructor(private readonly options: AgentSetOptions = {}) {
    this.env = options.env ?? process.env
    this.noProxy = parseNoProxy(envValue(this.env, ['no_proxy', 'NO_PROXY'])?.value)
    this.direct = {http: new http.Agent(KEEP_ALIVE), https: new https.Agent({...KEEP_ALIVE, ca: options.ca})}
  }

  /** Throws EndpointPolicyError when the proxy variable that applies is unusable. */
  route(target: URL): Route {
    // Every SOAP call asks, so the answer is kept per origin (the environment is read once, at construction).
    const known = this.routes.get(target.origin)
    if (known) return known
    const route = this.choose(target)
    this.routes.set(target.origin, route)
    return route
  }

  private choose(target: URL): Route {
    const config = proxyConfigFor(target, this.env, this.noProxy)
    if (!config) return {agent: this.direct}
    let entry = this.proxied.get(target.protocol)
    if (!entry) {
      const timeout = this.options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS
      const agent = target.protocol === 'https:' ? new TunnelAgent(config, this.options.ca, timeout) : new ForwardAgent(config, this.options.ca, timeout)
      entry = {agent, display: config.display}
      this.proxied.set(target.protocol, entry)
    }
    return {agent: target.protocol === 'https:' ? {https: entry.agent as https.Agent} : {http: entry.agent}, proxy: entry.display}
  }

  destroy(): void {
    this.direct.http.destroy()
    this.direct.https.destroy()
    for (const {agent} of this.proxied.values()) agent.destroy()
  }
}

function proxyConnectError(error: unknown, proxy: ProxyConfig): ProxyError {
  const code = String((error as NodeJS.ErrnoException).code ?? 'ERR')
  const from = `${proxy.display} (from ${proxy.variable})`
  let message: string
  if (code === 'ECONNREFUSED') message = `the proxy ${from} refused the connection: nothing listens at that address and port`
  else if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') message = `the proxy host ${proxy.hostname} (from ${proxy.variable}) could not be resolved`
  else if (code === 'ECONNRESET') message = `the proxy ${from} closed the connection`
  else if (isTlsFailureCode(code)) message = `the TLS certificate of the proxy ${from} was not accepted (${(error as Error).message})`
  else message = `could not connect to the proxy ${from} (${code})`
  return new ProxyError(code, message)
}

function authority(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`
}

/** The socket to the proxy itself, handed over only once connected so every failure before that is a ProxyError. */
function connectToProxy(proxy: ProxyConfig, ca: string[] | undefined, timeoutMs: number, options: {keepAlive?: boolean}): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const secure = proxy.protocol === 'https:'
    const socket: Socket = secure
      ? tls.connect({host: proxy.hostname, port: proxy.port, ca, servername: isIP(proxy.hostname) ? undefined : proxy.hostname})
      : createConnection({host: proxy.hostname, port: proxy.port})
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new ProxyError('ETIMEDOUT', `the proxy ${proxy.display} (from ${proxy.variable}) did not accept a connection within ${timeoutMs} ms`))
    }, timeoutMs)
    const onError = (error: Error) => {
      clearTimeout(timer)
      reject(proxyConnectError(error, proxy))
    }
    socket.once('error', onError)
    socket.once(secure ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer)
      socket.off('error', onError)
      if (options.keepAlive) socket.setKeepAlive(true)
      resolve(socket)
    })
  })
}

/** Asks the proxy for a tunnel to host:port; resolves with the raw socket once the proxy answers 200. */
function openTunnel(proxy: ProxyConfig, host: string, port: number, socket: Socket, timeoutMs: number): Promise<Duplex> {
  const target = authority(host, port)
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {host: target}
    if (proxy.authorization) headers['proxy-authorization'] = proxy.authorization
    const request = http.request({method: 'CONNECT', path: target, headers, setHost: false, createConnection: () => socket})
    const fail = (error: ProxyError) => {
      clearTimeout(timer)
      request.destroy()
      socket.destroy()
      reject(error)
    }
    const timer = setTimeout(() => fail(new ProxyError('ETIMEDOUT', `the proxy ${proxy.display} did not answer the request for a tunnel to ${target} within ${timeoutMs} ms`)), timeoutMs)
    request.once('connect', (res, tunnel, head) => {
      clearTimeout(timer)
      res.resume()
      if (res.statusCode === 200) {
        if (head.length > 0) tunnel.unshift(head)
        resolve(tunnel)
        return
      }
      tunnel.destroy()
      const status = `HTTP ${res.statusCode ?? '?'}${res.statusMessage ? ` ${res.statusMessage}` : ''}`
      const why = res.statusCode === 407 ? `; check the user name and password in ${proxy.variable}` : ''
      reject(new ProxyError('EPROXYREFUSED', `the proxy ${proxy.display} (from ${proxy.variable}) refused a tunnel to ${target} (${status})${why}`))
    })
    request.once('error', (error) => fail(proxyConnectError(error, proxy)))
    request.end()
  })
}

type ConnectOptions = https.RequestOptions & {keepAlive?: boolean}
type ConnectCallback = (err: Error | null, stream: Duplex) => void

/** https:// through the proxy: each pooled connection is a CONNECT tunnel with TLS to the server inside it. */
class TunnelAgent extends https.Agent {
  // Private fields stay out of util.inspect, so the Proxy-Authorization value cannot end up in a dump.
  readonly #proxy: ProxyConfig
  readonly #timeoutMs: number

  constructor(proxy: ProxyConfig, ca: string[] | undefined, timeoutMs: number) {
    super({...KEEP_ALIVE, ca})
    this.#proxy = proxy
    this.#timeoutMs = timeoutMs
  }

  override createConnection(options: ConnectOptions, callback?: ConnectCallback): undefined {
    const host = String(options.host ?? options.hostname ?? 'localhost').replace(/^\[|\]$/g, '')
    const port = Number(options.port) || 443
    const proxy = this.#proxy
    connectToProxy(proxy, this.options.ca as string[] | undefined, this.#timeoutMs, options)
      .then((socket) => openTunnel(proxy, host, port, socket, this.#timeoutMs))
      .then(
        (tunnel) => {
          // https.Agent's own createConnection does TLS, server-name checking and session reuse on the tunnel.
          const secure = super.createConnection({...options, socket: tunnel} as ConnectOptions)
          if (secure) callback?.(null, secure)
        },
        (error: Error) => callback?.(error, undefined as unknown as Duplex),
      )
    return undefined
  }
}

type AddRequest = (this: http.Agent, req: http.ClientRequest, options: http.RequestOptions) => void
// Not in Node's type declarations, but stable and public in practice: http-proxy-agent relies on it too.
const agentAddRequest = (http.Agent.prototype as unknown as {addRequest: AddRequest}).addRequest

/** http:// through the proxy: requests carry the absolute URI, and pooled connections go to the proxy. */
class ForwardAgent extends http.Agent {
  readonly #proxy: ProxyConfig
  readonly #ca: string[] | undefined
  readonly #timeoutMs: number

  constructor(proxy: ProxyConfig, ca: string[] | undefined, timeoutMs: number) {
    super(KEEP_ALIVE)
    this.#proxy = proxy
    this.#ca = ca
    this.#timeoutMs = timeoutMs
  }

  addRequest(req: http.ClientRequest, options: http.RequestOptions): void {
    // The request line is written from req.path later; once written it could no longer be changed.
    if (req.headersSent) throw new Error('the request line was sent before the proxy could be applied')
    const host = String(options.host ?? options.hostname ?? 'localhost').replace(/^\[|\]$/g, '')
    const port = Number(options.port) || 80
    req.path = `http://${port === 80 ? (host.includes(':') ? `[${host}]` : host) : authority(host, port)}${req.path}`
    if (this.#proxy.authorization) req.setHeader('proxy-authorization', this.#proxy.authorization)
    agentAddRequest.call(this, req, {...options, host: this.#proxy.hostname, hostname: this.#proxy.hostname, port: this.#proxy.port})
  }

  override createConnection(options: ConnectOptions, callback?: ConnectCallback): undefined {
    connectToProxy(this.#proxy, this.#ca, this.#timeoutMs, options).then(
      (socket) => callback?.(null, socket),
      (error: Error) => callback?.(error, undefined as unknown as Duplex),
    )
    return undefined
  }
}
