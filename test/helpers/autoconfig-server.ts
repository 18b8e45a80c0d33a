/**
 * An HTTPS server on 127.0.0.1 standing in for every autoconfig host of the detection tests: a domain's
 * own autoconfig.<domain> and <domain>/.well-known (reached through the test DNS server's A records and
 * SOEMAIL_AUTOCONFIG_PORT) and the ISPDB (SOEMAIL_ISPDB_URL=https://127.0.0.1:PORT/v1.1). Its certificate
 * names every host it serves, signed by a fresh test CA.
 */
import {createServer} from 'node:https'
import type {AddressInfo} from 'node:net'
import {makeTestCa, type TestCa} from './tls-certs.js'

export interface AutoconfigServer {
  port: number
  ca: TestCa
  /** "https://127.0.0.1:PORT/v1.1" */
  ispdbUrl: string
  /** Every request, as "host/path?query" (host without the port). */
  requests: string[]
  close(): Promise<void>
}

/** `files`: "host/path" (host without port, path without the query) → body. */
export async function startAutoconfigServer(hosts: string[], files: Record<string, string>): Promise<AutoconfigServer> {
  const ca = makeTestCa('autoconfig', ['127.0.0.1', ...hosts])
  const requests: string[] = []
  const server = createServer({key: ca.server.key, cert: ca.server.cert}, (req, res) => {
    const host = (req.headers.host ?? '').replace(/:\d+$/, '')
    requests.push(`${host}${req.url ?? ''}`)
    const body = files[`${host}${(req.url ?? '').replace(/\?.*$/, '')}`]
    res.writeHead(body === undefined ? 404 : 200, {'content-type': 'text/xml'}).end(body ?? 'not found')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    port,
    ca,
    ispdbUrl: `https://127.0.0.1:${port}/v1.1`,
    requests,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    }),
  }
}

/** A config-v1.1.xml as Thunderbird's ISPDB writes them. */
export function clientConfig(domain: string, imap: {host: string; port: number; socket: string; user?: string; auth?: string[]}, smtp?: {host: string; port: number; socket: string; auth?: string[]}): string {
  const auth = (a: string[] | undefined) => (a ?? ['password-cleartext']).map((x) => `<authentication>${x}</authentication>`).join('')
  return `<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="${domain}">
    <domain>${domain}</domain>
    <displayName>${domain} mail</displayName>
    <incomingServer type="pop3"><hostname>pop.${domain}</hostname><port>995</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username></incomingServer>
    <incomingServer type="imap"><hostname>${imap.host}</hostname><port>${imap.port}</port><socketType>${imap.socket}</socketType><username>${imap.user ?? '%EMAILADDRESS%'}</username>${auth(imap.auth)}</incomingServer>
    ${smtp ? `<outgoingServer type="smtp"><hostname>${smtp.host}</hostname><port>${smtp.port}</port><socketType>${smtp.socket}</socketType><username>%EMAILADDRESS%</username>${auth(smtp.auth)}</outgoingServer>` : ''}
  </emailProvider>
</clientConfig>`
}
