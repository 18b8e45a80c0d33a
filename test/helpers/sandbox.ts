import {afterAll, beforeAll} from 'vitest'
import {startSandbox, type Sandbox} from '../../src/sandbox/server.js'

/** A real sandbox on 127.0.0.1 for the tests of one file; the CLI under test talks to it over HTTP. */
export function useSandbox(options: Parameters<typeof startSandbox>[0] = {}): {readonly current: Sandbox} {
  const holder: {current?: Sandbox} = {}
  beforeAll(async () => {
    holder.current = await startSandbox({port: 0, ...options})
  })
  afterAll(async () => {
    await holder.current?.close()
  })
  return holder as {readonly current: Sandbox}
}

/** A new ticket for the demo user, logged in over HTTP like any client (tests that expire tickets need one). */
export async function freshTicket(url: string): Promise<string> {
  const {NetServerClient} = await import('../../src/soap/client.js')
  const {SoapTransport} = await import('../../src/soap/transport.js')
  const {SoPrincipalService} = await import('../../src/soap/principal-service.js')
  const transport = new SoapTransport({timeoutMs: 10_000})
  try {
    const res = await new SoPrincipalService(new NetServerClient({baseUrl: url, version: '87'}, transport)).authenticateUsernamePassword('demo', 'demo')
    if (!res.ticket) throw new Error('demo login failed')
    return res.ticket
  } finally {
    transport.close()
  }
}
