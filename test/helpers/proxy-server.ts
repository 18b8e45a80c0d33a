/**
 * A small proxy on 127.0.0.1 that records what it is asked: CONNECT tunnels (for https:// targets) and
 * absolute-URI requests (for http:// targets), with the Proxy-Authorization header of each.
 */
import http from 'node:http'
import https from 'node:https'
import {connect, type AddressInfo, type Socket} from 'node:net'
import type {Duplex} from 'node:stream'

export interface ProxyRecord {
  /** host:port for CONNECT, the absolute URI for a forwarded request. */
  target: string
  method: string
  authorization?: string
}

export interface TestProxy {
  /** http://127.0.0.1:PORT (https:// with `tls`), without credentials. */
  url: string
  port: number
  /** Every CONNECT and forwarded request, in arrival order. */
  seen: ProxyRecord[]
  /** TCP connections clients opened to the proxy. */
  connections(): number
  close(): Promise<void>
}

export interface TestProxyOptions {
  /** When set, anything without exactly this Proxy-Authorization value is answered 407. */
  requireAuthorization?: string
  /** Where to really connect for a requested host (e.g. a made-up name to 127.0.0.1). */
  resolveHost?: (host: string) => string
  /** Listen with TLS (an https:// proxy) using this key and certificate. */
  tls?: {key: string; cert: string}
}

export function basicAuthorization(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`
}

export async function startProxy(options: TestProxyOptions = {}): Promise<TestProxy> {
  const seen: ProxyRecord[] = []
  const sockets = new Set<Duplex>()
  let connections = 0
  const track = (s: Duplex) => {
    sockets.add(s)
    s.once('close', () => sockets.delete(s))
  }
  const resolveHost = (host: string) => options.resolveHost?.(host) ?? host.replace(/^\[|\]$/g, '')
  const authorized = (req: http.IncomingMessage) => !options.requireAuthorization || req.headers['proxy-authorization'] === options.requireAuthorization
  const upstreamAgent = new http.Agent({keepAlive: true})

  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const target = req.url ?? ''
    seen.push({target, method: req.method ?? '', authorization: req.headers['proxy-authorization']})
    if (!authorized(req)) {
      res.writeHead(407, {'proxy-authenticate': 'Basic realm="test"'}).end()
      return
    }
    if (!/^http:\/\//.test(target)) {
      res.writeHead(400).end('a forwarding proxy needs an absolute URI')
      return
    }
    const url = new URL(target)
    const headers = {...req.headers}
    delete headers['proxy-authorization']
    delete headers['proxy-connection']
    const upstream = http.request({host: resolveHost(url.hostname), port: Number(url.port) || 80, path: `${url.pathname}${url.search}`, method: req.method, headers, agent: upstreamAgent}, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(res)
    })
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502).end('bad gateway')
      else res.destroy()
    })
    req.pipe(upstream)
  }
  const server = options.tls ? https.createServer(options.tls, onRequest) : http.createServer(onRequest)
  server.on('connection', (socket: Socket) => {
    connections++
    track(socket)
  })
  server.on('connect', (req: http.IncomingMessage, client: Duplex, head: Buffer) => {
    const target = req.url ?? ''
    seen.push({target, method: 'CONNECT', authorization: req.headers['proxy-authorization']})
    client.on('error', () => client.destroy())
    if (!authorized(req)) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n')
      return
    }
    const {hostname, port} = new URL(`http://${target}`)
    const upstream = connect(Number(port), resolveHost(hostname), () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      if (head.length > 0) upstream.write(head)
      upstream.pipe(client)
      client.pipe(upstream)
    })
    track(upstream)
    upstream.on('error', () => {
      if (client.writable) client.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n')
    })
    client.on('close', () => upstream.destroy())
  })

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as AddressInfo
  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    seen,
    connections: () => connections,
    close: async () => {
      for (const s of sockets) s.destroy()
      upstreamAgent.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
