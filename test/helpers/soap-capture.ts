/**
 * Runs the real client stack (EMailService/SoPrincipalService → NetServerClient → SoapTransport)
 * against a TestServer and returns each request twice: as the transport's trace saw it and as the
 * server received it off the socket, so tests can check both agree.
 */
import {expect} from 'vitest'
import {PolicyClient, type RetryPolicy} from '../../src/connection/call-policy.js'
import {NetServerClient, type ClientConfig} from '../../src/soap/client.js'
import {EMailService} from '../../src/soap/email-service.js'
import {SoPrincipalService} from '../../src/soap/principal-service.js'
import {SoapTransport, type TraceEvent, type TransportOptions} from '../../src/soap/transport.js'
import type {ReceivedRequest, TestServer} from './soap-responder.js'

export interface Captured {
  url: string
  action: string
  /** The envelope as the transport traced it. */
  envelope: string
  received: ReceivedRequest
}

export interface Services {
  client: NetServerClient
  email: EMailService
  principal: SoPrincipalService
}

export type CaptureConfig = Partial<ClientConfig> & Pick<ClientConfig, 'version'>

/** With `retry`, the client is the one commands use (src/connection/call-policy.ts); without, it sends each request once. */
export function makeServices(config: ClientConfig, transportOptions: Partial<TransportOptions> = {}, trace: TraceEvent[] = [], retry?: RetryPolicy) {
  const transport = new SoapTransport({timeoutMs: 5000, ...transportOptions, trace: (e) => trace.push(e)})
  const client = retry ? new PolicyClient(config, transport, retry) : new NetServerClient(config, transport)
  return {services: {client, email: new EMailService(client), principal: new SoPrincipalService(client)} as Services, transport, trace}
}

export async function capture(server: TestServer, config: CaptureConfig, run: (s: Services) => Promise<unknown>): Promise<Captured[]> {
  const before = server.requests.length
  const {services, transport, trace} = makeServices({baseUrl: server.baseUrl, ...config})
  try {
    await run(services)
  } finally {
    transport.close()
  }
  const sent = trace.filter((e) => e.direction === 'request')
  const received = server.requests.slice(before)
  expect(received.length, 'requests the server received').toBe(sent.length)
  return sent.map((e, i) => ({url: e.url, action: e.action ?? '', envelope: e.body, received: received[i]!}))
}
