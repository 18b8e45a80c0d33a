import {httpRequest} from './http-request.js'
import type {AgentSet} from './proxy.js'
import {toTransportError} from './transport.js'

export interface GetOptions {
  /** The same agents as the SOAP calls, so --ca-file and the proxy settings apply alike. */
  agents: AgentSet
  timeoutMs: number
  accept?: string
  maxBytes: number
}

export interface GetResult {
  status: number
  body: string
  headers: Record<string, string | string[] | undefined>
  /** The proxy it went through, as it may be printed. */
  proxy?: string
}

/** A GET that fails with a TransportError (the same messages as the SOAP calls), never following redirects. */
export async function httpGet(url: string, options: GetOptions): Promise<GetResult> {
  const target = new URL(url)
  const route = options.agents.route(target)
  try {
    const res = await httpRequest(target, {
      method: 'GET',
      headers: options.accept ? {accept: options.accept} : {},
      route,
      timeoutMs: options.timeoutMs,
      maxBytes: options.maxBytes,
    })
    return {status: res.status, body: res.body.toString('utf8'), headers: res.headers, proxy: route.proxy}
  } catch (error) {
    throw toTransportError(error, url, options.timeoutMs, options.maxBytes)
  }
}
