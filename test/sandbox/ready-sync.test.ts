import {afterAll, describe, expect, it} from 'vitest'
import {NetServerClient} from '../../src/soap/client.js'
import {EMailService} from '../../src/soap/email-service.js'
import {buildEnvelope} from '../../src/soap/envelope.js'
import {SoapTransport} from '../../src/soap/transport.js'
import {soapAction} from '../../src/soap/versions.js'
import {validateEnvelope} from '../../src/sandbox/schema.js'
import {useSandbox} from '../helpers/sandbox.js'
import {wideDirectory} from '../helpers/users.js'
import {plainAccount} from '../helpers/accounts.js'

const sandbox = useSandbox({users: wideDirectory()})
const transport = new SoapTransport({timeoutMs: 10_000})
afterAll(() => transport.close())

const email = () => new EMailService(new NetServerClient({baseUrl: sandbox.current.url, version: '87', ticket: sandbox.current.demoTicket}, transport))

const account = plainAccount

describe('GetReadySyncEmailAccounts', () => {
  it('lists accounts of every associate with the owner’s user name, and leaves out deleted and failed ones', async () => {
    const svc = email()
    const mine = await svc.saveEMailAccount(account('ready.mine@example.com', 5))
    const other = await svc.saveEMailAccount(account('ready.other@example.com', 77))
    const failing = await svc.saveEMailAccount(account('ready.failing@example.com', 77))
    const failed = await svc.saveEMailAccount(account('ready.failed@example.com', 77))
    const deleted = await svc.saveEMailAccount(account('ready.deleted@example.com', 5))
    sandbox.current.setSyncState(failing.emailAccountId!, {accountStatus: 2, errorCount: 1, errorReason: 'A001 NO AUTHENTICATE failed'})
    sandbox.current.setSyncState(failed.emailAccountId!, {accountStatus: 3, errorCount: 9})
    sandbox.current.setSyncState(deleted.emailAccountId!, {accountStatus: 1})

    const listed = await svc.getReadySyncEmailAccounts()
    const ids = listed.map((s) => s.accountId)
    expect(ids).toEqual([...ids].sort((a, b) => a - b))
    expect(listed).toContainEqual({accountId: mine.emailAccountId, associateId: 5, associateName: 'demo'})
    // The sandbox has no user for associate 77: its name is nil, as a join to a missing row gives.
    expect(listed).toContainEqual({accountId: other.emailAccountId, associateId: 77})
    expect(ids).toContain(failing.emailAccountId)
    expect(ids).not.toContain(failed.emailAccountId)
    expect(ids).not.toContain(deleted.emailAccountId)

    // Left out of the list, but GetEMailAccount and (for the caller) GetEMailAccountFromEMailAddress still find them.
    expect((await svc.getEMailAccount(failed.emailAccountId!))?.accountStatus).toBe(3)
    expect((await svc.getEMailAccountFromEMailAddress('READY.DELETED@example.com'))?.emailAccountId).toBe(deleted.emailAccountId)
    // Only the caller's own: associate 77's address is not found for associate 5.
    expect(await svc.getEMailAccountFromEMailAddress('ready.other@example.com')).toBeUndefined()
  })

  it('answers with the schema’s SyncUserAccount carriers, Carrier members first', async () => {
    const version = '87'
    const res = await fetch(`${sandbox.current.url}/Remote/Services${version}/EMail.svc`, {
      method: 'POST',
      headers: {'content-type': 'text/xml; charset=utf-8', soapaction: `"${soapAction(version, 'EMail', 'GetReadySyncEmailAccounts')}"`},
      body: buildEnvelope({version, operation: 'GetReadySyncEmailAccounts', headers: {ticket: sandbox.current.demoTicket}, body: []}),
    })
    const text = await res.text()
    expect(res.status).toBe(200)
    expect(await validateEnvelope(text, 'EMail', version)).toEqual([])
    expect(text).toMatch(/<SyncUserAccount><TableRight>.*?<\/TableRight><FieldProperties\/><AccountId>\d+<\/AccountId><AssociateName>demo<\/AssociateName><AssociateId>5<\/AssociateId><\/SyncUserAccount>/)
  })

  it('AccountStatus, ErrorCount and ErrorReason are read-only; saving new credentials gives a failed account another chance', async () => {
    const svc = email()
    const saved = await svc.saveEMailAccount({...account('ready.status@example.com', 5), accountStatus: 4, errorCount: 3, errorReason: 'made up'})
    expect(saved).toMatchObject({accountStatus: 0, errorCount: 0, errorReason: ''})
    const id = saved.emailAccountId!
    sandbox.current.setSyncState(id, {accountStatus: 3, errorCount: 7, errorReason: 'login failed'})
    const sameCredentials = await svc.saveEMailAccount({...saved, incoming: {...saved.incoming, port: 143}, accountStatus: 4})
    expect(sameCredentials).toMatchObject({accountStatus: 3, errorCount: 7, errorReason: 'login failed'})
    expect((await svc.getReadySyncEmailAccounts()).map((s) => s.accountId)).not.toContain(id)
    const newPassword = await svc.saveEMailAccount({...sameCredentials, incoming: {...sameCredentials.incoming, password: 'new'}})
    expect(newPassword).toMatchObject({accountStatus: 0, errorCount: 0, errorReason: ''})
    expect((await svc.getReadySyncEmailAccounts()).map((s) => s.accountId)).toContain(id)
  })
})
