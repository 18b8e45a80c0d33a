import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {mxWarning} from '../../src/accounts/verify.js'
import {startSandbox, type Sandbox} from '../../src/sandbox/server.js'
import {NetServerClient} from '../../src/soap/client.js'
import {EMailService} from '../../src/soap/email-service.js'
import {SoapTransport} from '../../src/soap/transport.js'
import {startTestDns} from '../helpers/dns-server.js'

describe('HasMXRecord through the sandbox, asking a DNS server on 127.0.0.1', () => {
  let dns: Awaited<ReturnType<typeof startTestDns>>
  let sandbox: Sandbox
  const log: string[] = []
  const transport = new SoapTransport({timeoutMs: 20_000})

  beforeAll(async () => {
    // nomx.example.no exists (it has an A record) but has no MX; any other name is NXDOMAIN.
    dns = await startTestDns([
      {type: 'MX', name: 'example.no', data: {preference: 10, exchange: 'mx.example.no'}},
      {type: 'A', name: 'nomx.example.no', data: '127.0.0.1'},
    ])
    sandbox = await startSandbox({mail: {dnsServers: [dns.server]}, log: (l) => log.push(l)})
  })
  afterAll(async () => {
    await sandbox?.close()
    await dns?.close()
    transport.close()
  })
  const email = () => new EMailService(new NetServerClient({baseUrl: sandbox.url, version: '87', ticket: sandbox.demoTicket}, transport))

  it('true for a domain with an MX record; false for one without, and for one that does not exist', async () => {
    expect(await email().hasMXRecord('example.no')).toBe(true)
    expect(await email().hasMXRecord('nomx.example.no')).toBe(false)
    expect(await email().hasMXRecord('nowhere.example.no')).toBe(false)
    expect(log.filter((l) => l.startsWith('HasMXRecord'))).toEqual([
      'HasMXRecord example.no: 1 MX record(s)',
      'HasMXRecord nomx.example.no: false (ENODATA)',
      'HasMXRecord nowhere.example.no: false (ENOTFOUND)',
    ])
  })

  it('mxWarning: a warning for an address whose domain has no MX record, none otherwise or where 86 has no HasMXRecord', async () => {
    expect(await mxWarning(email(), 'jane@example.no')).toBeUndefined()
    expect(await mxWarning(email(), 'jane@nomx.example.no')).toBe('the CRM server finds no MX record for nomx.example.no: mail sent to jane@nomx.example.no will not arrive; check the address')
    const v86 = new EMailService(new NetServerClient({baseUrl: sandbox.url, version: '86', ticket: sandbox.demoTicket}, transport))
    expect(await mxWarning(v86, 'jane@nomx.example.no')).toBeUndefined()
  })

  it('GetReadySyncEmailAccounts lists the stored accounts with their owner, leaving Deleted ones out', async () => {
    const e = email()
    const kept = await e.saveEMailAccount({emailAddress: 'kept@example.no', associateId: 5, incoming: {server: 'i.example.no'}, outgoing: {server: 's.example.no'}})
    const gone = await e.saveEMailAccount({emailAddress: 'gone@example.no', associateId: 5, incoming: {server: 'i.example.no'}, outgoing: {server: 's.example.no'}})
    // AccountStatus is read-only on the wire; sync marks an account Deleted, as setSyncState does here.
    sandbox.setSyncState(gone.emailAccountId!, {accountStatus: 1})
    const listed = await e.getReadySyncEmailAccounts()
    expect(listed).toContainEqual({accountId: kept.emailAccountId, associateName: 'demo', associateId: 5})
    expect(listed.map((a) => a.accountId)).not.toContain(gone.emailAccountId)
  })
})
