/**
 * A DNS server on 127.0.0.1 (UDP) for detection tests: serves the given records, answers NXDOMAIN for
 * names it has no record of, and counts every query, so a test can see that a cached lookup asked nothing.
 */
import {createSocket} from 'node:dgram'
import * as dnsPacket from 'dns-packet'
import type {Answer, Packet} from 'dns-packet'

export type TestRecord = Answer & {name: string}

export interface TestDns {
  /** "127.0.0.1:PORT", for SOEMAIL_DNS_SERVER. */
  server: string
  /** Every question asked, as "TYPE name". */
  queries: string[]
  close(): Promise<void>
}

export async function startTestDns(records: TestRecord[]): Promise<TestDns> {
  const socket = createSocket('udp4')
  const queries: string[] = []
  const known = new Set(records.map((r) => r.name.toLowerCase()))
  socket.on('message', (message, peer) => {
    const query = dnsPacket.decode(message)
    const question = query.questions?.[0]
    if (!question) return
    queries.push(`${question.type} ${question.name}`)
    const answers = records.filter((r) => r.name.toLowerCase() === question.name.toLowerCase() && r.type === question.type)
    const NXDOMAIN = 3
    const response: Packet = {
      type: 'response',
      id: query.id,
      flags: dnsPacket.AUTHORITATIVE_ANSWER | (known.has(question.name.toLowerCase()) ? 0 : NXDOMAIN),
      questions: [question],
      answers: answers.map((a) => ({ttl: 60, ...a})) as Answer[],
    }
    socket.send(dnsPacket.encode(response), peer.port, peer.address)
  })
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve))
  return {
    server: `127.0.0.1:${socket.address().port}`,
    queries,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  }
}
