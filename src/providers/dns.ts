import {isIP} from 'node:net'
import {Resolver} from 'node:dns/promises'
import type {LookupAddress, LookupOptions} from 'node:dns'
import {UsageError} from '../errors.js'

/**
 * The DNS side of detection. One Resolver per run, on the system's servers or on SOEMAIL_DNS_SERVER's;
 * with a server given, the HTTPS requests for autoconfig resolve their host names through it too, so one
 * setting decides where every detection lookup goes.
 */
export interface DnsContext {
  resolver: Resolver
  /** For got's dnsLookup: the configured servers' A/AAAA answers; undefined = the system's getaddrinfo. */
  lookup?: LookupFunction
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void
export type LookupFunction = (hostname: string, options: LookupOptions | number, callback: LookupCallback) => void

/** Short: detection is a convenience, and a dead resolver must not hold up an import for long. */
const DNS_TIMEOUT_MS = 2000
const DNS_TRIES = 2

/** `servers`: "host", "host:port" or "[v6]:port" entries, as Resolver.setServers takes them. */
export function dnsContext(servers: readonly string[] | undefined): DnsContext {
  const resolver = new Resolver({timeout: DNS_TIMEOUT_MS, tries: DNS_TRIES})
  if (!servers || servers.length === 0) return {resolver}
  try {
    resolver.setServers([...servers])
  } catch (error) {
    throw new UsageError(`SOEMAIL_DNS_SERVER: "${servers.join(',')}" is not a list of DNS server addresses (${(error as Error).message})`, {hint: 'Give IP addresses, each with an optional port: 10.0.0.53 or 127.0.0.1:5353,[::1]:53.'})
  }
  return {resolver, lookup: resolverLookup(resolver)}
}

function resolverLookup(resolver: Resolver): LookupFunction {
  return (hostname, options, callback) => {
    const opts: LookupOptions = typeof options === 'number' ? {family: options} : (options ?? {})
    const family = opts.family === 'IPv4' ? 4 : opts.family === 'IPv6' ? 6 : Number(opts.family ?? 0)
    const literal = isIP(hostname)
    const answers: Promise<LookupAddress[]> = literal
      ? Promise.resolve([{address: hostname, family: literal}])
      : Promise.all([
          family === 6 ? [] : resolver.resolve4(hostname).catch(() => [] as string[]),
          family === 4 ? [] : resolver.resolve6(hostname).catch(() => [] as string[]),
        ]).then(([v4, v6]) => [...v4.map((address) => ({address, family: 4})), ...v6.map((address) => ({address, family: 6}))])
    void answers.then((all) => {
      if (all.length === 0) return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), {code: 'ENOTFOUND', hostname}), '')
      if (opts.all) return callback(null, all)
      callback(null, all[0]!.address, all[0]!.family)
    })
  }
}

/** A DNS failure in the user's words: no record is an answer, a timeout or refusal is a failure. */
export function dnsOutcome(error: unknown): {missing: boolean; text: string} {
  const code = (error as NodeJS.ErrnoException).code ?? 'ERROR'
  if (code === 'ENOTFOUND' || code === 'ENODATA') return {missing: true, text: 'no record'}
  return {missing: false, text: `DNS lookup failed (${code})`}
}
