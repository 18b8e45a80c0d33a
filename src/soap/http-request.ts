import type http from 'node:http'
import type {Got} from 'got'
import {DEFAULT_CONNECT_TIMEOUT_MS, ProxyError, type Route} from './proxy.js'

/**
 * One HTTP exchange, sent with got over the keep-alive agents of proxy.ts. got is told to do nothing of its
 * own on top of that: no retries (the SOAP client decides those, and a create must never be sent twice
 * once it may have arrived), no redirects (a redirect to a login page is an answer to report), no error for
 * an HTTP status (a WCF fault comes as 500). What this adds is a cap on the decompressed answer, which got
 * does not have, and failures named by where the exchange was, which decides whether it may have arrived.
 * got is loaded on the first request, so commands that never connect do not pay for it.
 */
export interface HttpRequest {
  method: 'GET' | 'POST'
  headers: Record<string, string>
  body?: string
  route: Route
  /** The whole exchange, from asking for a socket to the answer's last byte. */
  timeoutMs: number
  /** For each step of opening a connection (lookup, connect, TLS; default 10 s, at most timeoutMs); nothing has been sent before they end. */
  connectTimeoutMs?: number
  /** Bytes of the (decompressed) answer; more is refused without reading on. */
  maxBytes: number
}

export interface HttpAnswer {
  status: number
  headers: http.IncomingHttpHeaders
  body: Buffer
}

/** Where a timed-out exchange was: nothing was sent before `connect` and `secureConnect` ended. */
export type TimeoutPhase = 'lookup' | 'connect' | 'secureConnect' | 'request'

/** Why an exchange failed; transport.ts turns it into the TransportError users see. */
export class HttpRequestError extends Error {
  override name = 'HttpRequestError'
  constructor(readonly code: string, message: string, readonly phase?: TimeoutPhase, options?: {cause?: unknown}) {
    super(message, options)
  }
}

let loading: Promise<Got> | undefined
// What every exchange asks of got, merged into its defaults once: got merges a request's own options into a
// copy of its defaults at every call, so options said here once are not validated and merged per request.
const loadGot = (): Promise<Got> =>
  (loading ??= import('got').then((m) =>
    m.got.extend({
      http2: false,
      retry: {limit: 0},
      followRedirect: false,
      throwHttpErrors: false,
      decompress: true,
      responseType: 'buffer',
    }),
  ))

/** Codes of a connection that failed while the answer was read, as opposed to an answer that did not decode. */
const SOCKET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE'])

/** `options.route` must be the AgentSet's route for `target`. */
export async function httpRequest(target: URL, options: HttpRequest): Promise<HttpAnswer> {
  const got = await loadGot()
  const connect = Math.min(options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS, options.timeoutMs)
  const request = got(target, {
    method: options.method,
    // got adds a user-agent of its own unless told otherwise; undefined leaves the header out, as before.
    headers: {'user-agent': undefined, 'accept-encoding': 'gzip, deflate, br', ...options.headers},
    body: options.body,
    agent: {http: options.route.agent.http, https: options.route.agent.https},
    timeout: {lookup: connect, connect, secureConnect: connect, request: options.timeoutMs},
  })
  let tooLarge = false
  // got counts the bytes it hands on, after decompression: a small compressed bomb stops here.
  request.on('downloadProgress', (progress: {transferred: number}) => {
    if (progress.transferred > options.maxBytes && !tooLarge) {
      tooLarge = true
      request.cancel()
    }
  })
  try {
    const res = await request
    if (res.rawBody.length > options.maxBytes) tooLarge = true
    if (tooLarge) throw new HttpRequestError('ETOOLARGE', `answer larger than ${options.maxBytes} bytes`)
    return {status: res.statusCode, headers: res.headers, body: res.rawBody}
  } catch (error) {
    if (tooLarge) throw new HttpRequestError('ETOOLARGE', `answer larger than ${options.maxBytes} bytes`)
    throw fromGot(error)
  }
}

/** got's errors in the terms of the exchange; Node's own errors (ECONNREFUSED, TLS, the proxy's) are passed on as they came. */
function fromGot(error: unknown): unknown {
  if (!(error instanceof Error)) return error
  const cause = error.cause as (Error & {code?: string}) | {code?: string; message?: string} | undefined
  if (error.name === 'TimeoutError') {
    const event = (error as Error & {event?: string}).event
    const phase: TimeoutPhase = event === 'lookup' || event === 'connect' || event === 'secureConnect' ? event : 'request'
    return new HttpRequestError('ETIMEDOUT', `${phase} timed out`, phase)
  }
  if (cause instanceof ProxyError) return cause
  if (error.name === 'ReadError') {
    const code = String(cause?.code ?? (error as Error & {code?: string}).code ?? '')
    if (SOCKET_CODES.has(code)) return new HttpRequestError('ECONNRESET', 'the connection closed before the whole answer arrived')
    return new HttpRequestError('EBADENCODING', `the answer could not be decompressed (${cause?.message ?? error.message})`, undefined, {cause})
  }
  // A RequestError wraps what the socket, TLS or an agent reported; its code and message are the facts.
  if (error.name === 'RequestError' && cause instanceof Error) return cause
  return error
}
