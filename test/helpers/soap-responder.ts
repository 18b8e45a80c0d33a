/**
 * A tiny NetServer stand-in on 127.0.0.1 for the wire-layer tests: it records every request as it
 * arrived on the socket and answers with hand-written SOAP 1.1 responses. The answers are spelled out
 * here rather than built with src/soap, so the parser is tested against text it did not produce.
 */
import http from 'node:http'
import type {AddressInfo} from 'node:net'
import type {EMailAccount, ServiceAuth} from '../../src/soap/account-model.js'
import type {ApiVersion} from '../../src/soap/versions.js'
import {janeDoe} from './accounts.js'

export interface ReceivedRequest {
  method: string
  path: string
  headers: http.IncomingHttpHeaders
  body: string
}

/** Answers one request; `index` counts requests from 0 over the server's life. */
export type Handler = (req: ReceivedRequest, res: http.ServerResponse, index: number) => void

export interface TestServer {
  /** Origin plus base path, as a user would pass --url. */
  baseUrl: string
  origin: string
  requests: ReceivedRequest[]
  close(): Promise<void>
}

export async function startServer(handler: Handler, basePath = '/SuperOffice'): Promise<TestServer> {
  const requests: ReceivedRequest[] = []
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const received = {method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8')}
      requests.push(received)
      handler(received, res, requests.length - 1)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    baseUrl: origin + basePath,
    origin,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        // Keep-alive sockets (and deliberately slow answers) would hold close() open.
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** A port on 127.0.0.1 that nothing listens on (bound, then released). */
export async function unusedPort(): Promise<number> {
  const s = http.createServer()
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))
  const {port} = s.address() as AddressInfo
  await new Promise<void>((resolve) => s.close(() => resolve()))
  return port
}

export function send(res: http.ServerResponse, status: number, body: string, contentType = 'text/xml; charset=utf-8', headers: Record<string, string> = {}): void {
  res.writeHead(status, {'content-type': contentType, ...headers})
  res.end(body)
}

export const SOAP_ENV = 'http://schemas.xmlsoap.org/soap/envelope/'
export const XSI = 'http://www.w3.org/2001/XMLSchema-instance'
export const ns = (version: ApiVersion) => `http://www.superoffice.net/ws/crm/NetServer/Services${version}`

export function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

export interface ResponseOptions {
  succeeded?: boolean
  /** Inner XML of the ExceptionInfo header; omitted means xsi:nil, as NetServer sends on success. */
  exceptionInfo?: string
  /** The services namespace the answer is written in (to simulate a server of another version). */
  version?: ApiVersion
}

/** A NetServer answer: the four response headers (FACTS §2), then the body wrapper's inner XML. */
export function netServerResponse(version: ApiVersion, wrapper: string, inner: string, opts: ResponseOptions = {}): string {
  const n = ns(opts.version ?? version)
  const exceptionInfo =
    opts.exceptionInfo === undefined
      ? `<ExceptionInfo xmlns="${n}" xmlns:i="${XSI}" i:nil="true"/>`
      : `<ExceptionInfo xmlns="${n}" xmlns:i="${XSI}">${opts.exceptionInfo}</ExceptionInfo>`
  return (
    `<s:Envelope xmlns:s="${SOAP_ENV}"><s:Header>` +
    exceptionInfo +
    `<ExtraInfo xmlns="${n}" xmlns:i="${XSI}" i:nil="true"/>` +
    `<Succeeded xmlns="${n}">${opts.succeeded ?? true}</Succeeded>` +
    `</s:Header><s:Body><${wrapper} xmlns="${n}">${inner}</${wrapper}></s:Body></s:Envelope>`
  )
}

export interface WireServiceAuth {
  ServiceAuthId?: number
  Server?: string
  Port?: number
  AuthType?: string
  Username?: string
  Password?: string
}

export interface WireAccount {
  EMailAccountId?: number
  EMailAddress?: string
  AssociateId?: number
  IncomingCredentials?: WireServiceAuth
  OutgoingCredentials?: WireServiceAuth
  AccountStatus?: number
  ErrorCount?: number
  ErrorReason?: string
}

const ACCOUNT_ORDER = ['EMailAccountId', 'EMailAddress', 'AssociateId', 'IncomingCredentials', 'OutgoingCredentials', 'AccountStatus', 'ErrorCount', 'ErrorReason'] as const
const AUTH_ORDER = ['ServiceAuthId', 'Server', 'Port', 'AuthType', 'Username', 'Password'] as const

/** An EMailAccount carrier as WCF writes it: Carrier fields first (nil), then the schema sequence. */
export function accountXml(a: WireAccount, name = 'Response'): string {
  const auth = (s: WireServiceAuth) =>
    '<TableRight i:nil="true"/><FieldProperties i:nil="true"/>' + AUTH_ORDER.map((k) => (s[k] === undefined ? '' : `<${k}>${esc(String(s[k]))}</${k}>`)).join('')
  const parts = ACCOUNT_ORDER.map((k) => {
    const v = a[k]
    if (v === undefined) return ''
    return typeof v === 'object' ? `<${k}>${auth(v)}</${k}>` : `<${k}>${esc(String(v))}</${k}>`
  })
  return `<${name} xmlns:i="${XSI}"><TableRight i:nil="true"/><FieldProperties i:nil="true"/>${parts.join('')}</${name}>`
}

/** An account in the wire's element names, written here by hand so the answers do not depend on src/. */
export function wireAccount(a: EMailAccount): WireAccount {
  const auth = (s: ServiceAuth = {}): WireServiceAuth => ({ServiceAuthId: s.serviceAuthId, Server: s.server, Port: s.port, AuthType: s.authType, Username: s.username, Password: s.password})
  return {EMailAccountId: a.emailAccountId, EMailAddress: a.emailAddress, AssociateId: a.associateId, IncomingCredentials: auth(a.incoming), OutgoingCredentials: auth(a.outgoing), AccountStatus: a.accountStatus, ErrorCount: a.errorCount, ErrorReason: a.errorReason}
}

/** The one account fixture (test/helpers/accounts.ts), as NetServer stores it. */
export const STORED_ACCOUNT: WireAccount = wireAccount(janeDoe({ids: [101, 201, 202]}))

const ACTION = /^"?http:\/\/www\.superoffice\.net\/ws\/crm\/NetServer\/Services(\d\d)\/(EMail|SoPrincipal)\/(\w+)"?$/

/**
 * Answers every operation the client sends with a schema-valid success, picked by SOAPAction.
 * An unknown action gets a WCF-style ActionNotSupported fault, as NetServer would send.
 */
export function netServerHandler(): Handler {
  return (req, res) => {
    const m = ACTION.exec(String(req.headers.soapaction ?? ''))
    if (!m) return send(res, 500, soapFault('a:ActionNotSupported', 'unknown SOAPAction'))
    const version = m[1] as ApiVersion
    const op = m[3] ?? ''
    switch (op) {
      case 'SaveEMailAccount':
      case 'GetEMailAccount':
      case 'CreateDefaultEMailAccount':
      case 'GetEMailAccountFromEMailAddress':
        return send(res, 200, netServerResponse(version, `${op}Response`, accountXml(STORED_ACCOUNT)))
      case 'DeleteEMailAccount':
        return send(res, 200, netServerResponse(version, 'DeleteEMailAccountResponse', ''))
      case 'AuthenticateUsernamePassword':
        return send(res, 200, netServerResponse(version, 'AuthenticateResponse', authenticateResponse('TICKET-1', 5)))
      default:
        return send(res, 500, soapFault('a:ActionNotSupported', `no operation ${op}`))
    }
  }
}

export function authenticateResponse(ticket: string, associateId: number): string {
  return (
    `<Response xmlns:i="${XSI}"><Associate>JANE</Associate><AssociateId>${associateId}</AssociateId><FullName>Jane Doe</FullName><EMailAddress>jane.doe@example.com</EMailAddress></Response>` +
    `<Credentials><Ticket>${esc(ticket)}</Ticket></Credentials><AuthenticationSucceeded>true</AuthenticationSucceeded>`
  )
}

/** A SOAP 1.1 fault as WCF writes it (HTTP 500). */
export function soapFault(code: string, text: string): string {
  return (
    `<s:Envelope xmlns:s="${SOAP_ENV}"><s:Body><s:Fault>` +
    `<faultcode xmlns:a="http://schemas.microsoft.com/ws/2005/05/addressing/none">${esc(code)}</faultcode>` +
    `<faultstring xml:lang="en-US">${esc(text)}</faultstring></s:Fault></s:Body></s:Envelope>`
  )
}
