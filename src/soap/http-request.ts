import http from 'node:http'
import https from 'node:https'
import {isIP, type Socket} from 'node:net'
import type {Readable} from 'node:stream'
import {createBrotliDecompress, createGunzip, createInflate} from 'node:zlib'
import {DEFAULT_CONNECT_TIMEOUT_MS, type Route} from './proxy.js'

/**
 * One HTTP exchange on node:http over the keep-alive agents of proxy.ts. It replaced got on the path
 * every SOAP call takes: got's per-request option merging cost more CPU than everything else a bulk
 * import does for a row (see README, Performance), while this needs only what soemail asks of HTTP -
 * no redirects, no retries (the SOAP client owns those), a connect and a whole-request timeout, a cap on
 * the answer's size, and gzip/deflate/br answers.
 */
export interface HttpRequest {
  method: 'GET' | 'POST'
  headers: Record<string, string>
  body?: string
  route: Route
  /** The whole exchange, from asking for a socket to the answer's last byte. */
  timeoutMs: number
  /** Until the connection is open (TLS included; default 10 s, at most timeoutMs); nothing has been sent before that. */
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

/** `options.route` must be the AgentSet's route for `target`. */
export function httpRequest(target: URL, options: HttpRequest): Promise<HttpAnswer> {
  const secure = target.protocol === 'https:'
  const agent = secure ? options.route.agent.https : options.route.agent.http
  const headers: Record<string, string> = {'accept-encoding': 'gzip, deflate, br', ...options.headers}
  if (options.body !== undefined) headers['content-length'] = String(Buffer.byteLength(options.body))
  return new Promise<HttpAnswer>((resolve, reject) => {
    let settled = false
    let connectTimer: NodeJS.Timeout | undefined
    const finish = (error: Error | undefined, answer?: HttpAnswer) => {
      if (settled) return
      settled = true
      clearTimeout(requestTimer)
      clearTimeout(connectTimer)
      if (error) {
        req.destroy()
        reject(error)
      } else resolve(answer as HttpAnswer)
    }
    const req = (secure ? https : http).request(target, {method: options.method, headers, agent})
    const requestTimer = setTimeout(() => finish(new HttpRequestError('ETIMEDOUT', 'request timed out', 'request')), options.timeoutMs)
    req.on('error', (error) => finish(error))
    req.on('socket', (socket: Socket) => {
      // A pooled keep-alive socket is open already; a new one has until connectTimeoutMs to connect.
      if (!socket.connecting) return
      let phase: TimeoutPhase = isIP(target.hostname.replace(/^\[|\]$/g, '')) ? 'connect' : 'lookup'
      socket.once('lookup', () => (phase = 'connect'))
      socket.once('connect', () => {
        phase = 'secureConnect'
        if (!secure) clearTimeout(connectTimer)
      })
      socket.once('secureConnect', () => clearTimeout(connectTimer))
      connectTimer = setTimeout(() => finish(new HttpRequestError('ETIMEDOUT', `${phase} timed out`, phase)), Math.min(options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS, options.timeoutMs))
    })
    req.on('response', (res) => {
      clearTimeout(connectTimer)
      const chunks: Buffer[] = []
      let size = 0
      const body = decoded(res)
      body.on('data', (chunk: Buffer) => {
        size += chunk.length
        if (size > options.maxBytes) return finish(new HttpRequestError('ETOOLARGE', `answer larger than ${options.maxBytes} bytes`))
        chunks.push(chunk)
      })
      body.on('end', () => finish(undefined, {status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks, size)}))
      body.on('error', (error) => finish(res.errored ? res.errored : new HttpRequestError('EBADENCODING', `the answer could not be decompressed (${error.message})`, undefined, {cause: error})))
      // The connection ended before the whole answer arrived.
      res.on('close', () => {
        if (!res.complete) finish(new HttpRequestError('ECONNRESET', 'the connection closed before the whole answer arrived'))
      })
      if (body !== res) res.on('error', (error) => finish(error))
    })
    req.end(options.body)
  })
}

function decoded(res: http.IncomingMessage): Readable {
  const encoding = String(res.headers['content-encoding'] ?? '').trim().toLowerCase()
  const decoder = encoding === 'gzip' || encoding === 'x-gzip' ? createGunzip() : encoding === 'deflate' ? createInflate() : encoding === 'br' ? createBrotliDecompress() : undefined
  return decoder ? res.pipe(decoder) : res
}
