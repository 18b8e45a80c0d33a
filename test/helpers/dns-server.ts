import dns2 from 'dns2'

const {Packet} = dns2

/**
 * A DNS server on 127.0.0.1 (UDP, a free port) that knows only the MX records it is given: every other
 * name is NXDOMAIN, so no test depends on, or leaks to, the machine's resolver.
 */
export async function startDnsServer(mx: Record<string, Array<{exchange: string; priority: number}>>): Promise<{address: string; close(): void}> {
  const server = new dns2.UDPServer((request, send) => {
    const response = Packet.createResponseFromRequest(request)
    const [question] = request.questions
    const records = question && question.type === Packet.TYPE.MX ? mx[question.name.toLowerCase()] : undefined
    if (question && question.type === Packet.TYPE.MX && records) {
      // dns2's Resource type lists an encoder every record has once written; the answers carry only data.
      type Answer = (typeof response.answers)[number]
      for (const r of records) response.answers.push({name: question.name, type: Packet.TYPE.MX, class: Packet.CLASS.IN, ttl: 60, exchange: r.exchange, priority: r.priority} as Answer)
    } else if (!question || !(question.name.toLowerCase() in mx)) {
      response.header.rcode = 3 // NXDOMAIN
    }
    send(response)
  })
  await server.listen(0, '127.0.0.1')
  const {port} = server.address()
  return {address: `127.0.0.1:${port}`, close: () => server.close()}
}
