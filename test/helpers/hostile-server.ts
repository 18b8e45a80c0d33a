/**
 * A hostile "NetServer" on 127.0.0.1 for the CLI-level answer tests: one HTTP server whose first path
 * segment picks a misbehaviour, so `--url http://127.0.0.1:PORT/<scenario>/SuperOffice` gets that
 * answer to every request. It counts requests and the bytes it managed to write per scenario, so a
 * test can tell that the client stopped reading a huge body instead of swallowing it.
 */
import http from 'node:http'
import type {AddressInfo} from 'node:net'
import {setTimeout as sleep} from 'node:timers/promises'
import {accountXml, netServerResponse, ns, SOAP_ENV, soapFault, STORED_ACCOUNT} from './soap-responder.js'

export interface ScenarioStats {
  requests: number
  /** Body bytes the server wrote before the answer ended or the client went away. */
  bytesSent: number
  /** Whether the client closed the connection before the server had finished its answer. */
  clientGaveUp: boolean
}

/** Answers one request; resolves when the answer is over (finished, or cut by the client). */
export type Scenario = (res: http.ServerResponse, stats: ScenarioStats) => Promise<void> | void

export interface HostileServer {
  origin: string
  /** The --url that gets this scenario's answers. */
  url(scenario: string): string
  stats(scenario: string): ScenarioStats
  close(): Promise<void>
}

export async function startHostileServer(scenarios: Record<string, Scenario>): Promise<HostileServer> {
  const stats = new Map<string, ScenarioStats>()
  const statsOf = (name: string) => {
    let s = stats.get(name)
    if (!s) stats.set(name, (s = {requests: 0, bytesSent: 0, clientGaveUp: false}))
    return s
  }
  const server = http.createServer((req, res) => {
    const name = (req.url ?? '/').split('/')[1] ?? ''
    const scenario = scenarios[name]
    const s = statsOf(name)
    s.requests++
    res.on('close', () => {
      if (!res.writableFinished) s.clientGaveUp = true
    })
    // Take the whole request first, as a real server does, then misbehave.
    req.resume()
    req.on('end', () => {
      if (!scenario) {
        res.writeHead(404).end()
        return
      }
      Promise.resolve(scenario(res, s)).catch(() => res.destroy())
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    origin,
    url: (scenario) => `${origin}/${scenario}/SuperOffice`,
    stats: (scenario) => ({...statsOf(scenario)}),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** Sends a whole answer at once. */
export function reply(status: number, body: string, headers: Record<string, string> = {'content-type': 'text/xml; charset=utf-8'}): Scenario {
  return (res, s) => {
    res.writeHead(status, headers)
    res.end(body)
    s.bytesSent += Buffer.byteLength(body)
  }
}

/** Streams `totalBytes` of one endless XML element in 64 KiB chunks, honouring back-pressure; stops when the client leaves. */
export function hugeBody(totalBytes: number): Scenario {
  return async (res, s) => {
    res.writeHead(200, {'content-type': 'text/xml; charset=utf-8'})
    const head = `<s:Envelope xmlns:s="${SOAP_ENV}"><s:Body><GetEMailAccountResponse xmlns="${ns('87')}"><Response><ErrorReason>`
    res.write(head)
    const chunk = Buffer.alloc(64 * 1024, 'x')
    let closed = false
    res.on('close', () => (closed = true))
    while (!closed && s.bytesSent < totalBytes) {
      s.bytesSent += chunk.length
      if (!res.write(chunk)) {
        // Whichever comes first; the other listener goes too, or every wait would leave a 'close' behind.
        await new Promise<void>((resolve) => {
          const done = () => {
            res.off('drain', done)
            res.off('close', done)
            resolve()
          }
          res.once('drain', done)
          res.once('close', done)
        })
      }
    }
    if (!closed) res.end('</ErrorReason></Response></GetEMailAccountResponse></s:Body></s:Envelope>')
  }
}

/** A valid answer, one byte every `intervalMs`, for as long as the client waits. */
export function slowDrip(intervalMs: number): Scenario {
  return async (res, s) => {
    res.writeHead(200, {'content-type': 'text/xml; charset=utf-8'})
    const body = netServerResponse('87', 'GetEMailAccountResponse', accountXml(STORED_ACCOUNT))
    let closed = false
    res.on('close', () => (closed = true))
    for (const ch of body) {
      if (closed) return
      res.write(ch)
      s.bytesSent++
      await sleep(intervalMs)
    }
    res.end()
  }
}

const lols = (n: number) => Array.from({length: 10}, () => `&lol${n};`).join('')

/** The billion laughs: expanded, &lol9; is 10^9 copies of "lol". */
export const XML_BOMB =
  `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol0 "lol">` +
  Array.from({length: 9}, (_, i) => `<!ENTITY lol${i + 1} "${lols(i)}">`).join('') +
  `]><s:Envelope xmlns:s="${SOAP_ENV}"><s:Body><GetEMailAccountResponse xmlns="${ns('87')}"><Response><ErrorReason>&lol9;</ErrorReason></Response></GetEMailAccountResponse></s:Body></s:Envelope>`

/** A complete, well-formed NetServer answer to GetEMailAccount. */
export const GOOD_ANSWER = netServerResponse('87', 'GetEMailAccountResponse', accountXml(STORED_ACCOUNT))

/** The same answer without the Succeeded header NetServer always sends. */
export const NO_SUCCEEDED = GOOD_ANSWER.replace(/<Succeeded [^>]*>[^<]*<\/Succeeded>/, '')

/** A well-formed answer written entirely in a namespace the client did not ask for. */
export const FOREIGN_NAMESPACE = GOOD_ANSWER.replaceAll(ns('87'), 'http://example.com/not-netserver')

/** A well-formed envelope in a SOAP envelope namespace that does not exist. */
export const FOREIGN_ENVELOPE = GOOD_ANSWER.replaceAll(SOAP_ENV, 'http://example.com/envelope')

export const LOGIN_PAGE = `<!doctype html><html><head><title>SuperOffice CRM - Sign in</title></head><body><form method="post"></form></body></html>`

/** A WCF fault whose text spans lines and tries to recolour the terminal. */
export const MULTILINE_FAULT = soapFault('s:Server', 'The server was unable to process the request\r\ndue to an internal error.\u009b31m See the server logs.')
