import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {ArchiveService} from '../../src/soap/archive-service.js'
import {NetServerClient} from '../../src/soap/client.js'
import {buildEnvelope} from '../../src/soap/envelope.js'
import {NetServerError} from '../../src/soap/errors.js'
import {SoapTransport} from '../../src/soap/transport.js'
import {soapAction, type ApiVersion} from '../../src/soap/versions.js'
import {loadUserDirectory, SandboxUsersError, startSandbox, type Sandbox} from '../../src/sandbox/server.js'
import {useSandbox} from '../helpers/sandbox.js'

const sandbox = useSandbox()
const transports: SoapTransport[] = []
afterAll(() => transports.forEach((t) => t.close()))

function archive(sb: Sandbox, version: ApiVersion = '87'): ArchiveService {
  const transport = new SoapTransport({timeoutMs: 10_000})
  transports.push(transport)
  return new ArchiveService(new NetServerClient({baseUrl: sb.url, version, ticket: sb.demoTicket, allowHttp: true}, transport))
}

const COLUMNS = ['associateDbId', 'userName', 'fullName', 'personEmail', 'isActive', 'assocType']
const query = (restrictions: string, provider = 'AllUsers') => ({provider, columns: COLUMNS, restrictions, page: 0, pageSize: 100})

describe('Archive.svc GetArchiveListByColumns2 (AllUsers)', () => {
  it.each(['86', '87', '88'] as const)('answers Services%s with ColumnData, schema-checked', async (version) => {
    const rows = await archive(sandbox.current, version).getArchiveListByColumns2(query("userName = 'kari'"))
    expect(rows).toEqual([{entityName: 'associate', primaryKey: 12, columns: {associateDbId: '12', userName: 'kari', fullName: 'Kari Nordmann', personEmail: 'kari@example.no', isActive: '1', assocType: 'Associate'}}])
  })

  it('restricts with oneOf on ids, user names and e-mail addresses, case-insensitively', async () => {
    const a = archive(sandbox.current)
    expect((await a.getArchiveListByColumns2(query('associateDbId oneOf(1,5,34,999)'))).map((r) => r.primaryKey)).toEqual([1, 5, 34])
    expect((await a.getArchiveListByColumns2(query("userName oneOf('KARI','ola')"))).map((r) => r.primaryKey)).toEqual([1, 12])
    expect((await a.getArchiveListByColumns2(query("personEmail = 'support@example.no'"))).map((r) => r.primaryKey)).toEqual([15, 16])
    expect((await a.getArchiveListByColumns2(query("fullName contains 'nordmann' and isActive = 1"))).map((r) => r.primaryKey)).toEqual([1, 12])
  })

  it('pages with Page and PageSize', async () => {
    const a = archive(sandbox.current)
    const q = {...query('associateDbId oneOf(1,2,4,5,6)'), pageSize: 2}
    expect((await a.getArchiveListByColumns2({...q, page: 0})).map((r) => r.primaryKey)).toEqual([1, 2])
    expect((await a.getArchiveListByColumns2({...q, page: 2})).map((r) => r.primaryKey)).toEqual([6])
  })

  it('refuses an unknown provider and a missing restriction with ExceptionInfo, as NetServer does', async () => {
    const a = archive(sandbox.current)
    const unknown = await a.getArchiveListByColumns2(query("userName = 'kari'", 'Users')).catch((e: unknown) => e)
    expect(unknown).toBeInstanceOf(NetServerError)
    expect((unknown as NetServerError).exceptionTypes).toEqual(['SoArchiveException'])
    expect((unknown as NetServerError).message).toMatch(/provider 'Users' was not found/)
    const none = await a.getArchiveListByColumns2(query('')).catch((e: unknown) => e)
    expect((none as NetServerError).message).toMatch(/requires at least one restriction/)
  })

  it('needs a ticket like EMail does', async () => {
    const transport = new SoapTransport({timeoutMs: 10_000})
    transports.push(transport)
    const a = new ArchiveService(new NetServerClient({baseUrl: sandbox.current.url, version: '87', ticket: '7T:nope', allowHttp: true}, transport))
    const error = await a.getArchiveListByColumns2(query("userName = 'kari'")).catch((e: unknown) => e)
    expect((error as NetServerError).exceptionTypes).toEqual(['SoSessionException'])
  })

  it('rejects a body whose elements are out of the schema order', async () => {
    const body = [['Columns', 'userName'], ['ProviderName', 'AllUsers'], ['Restrictions', "userName = 'kari'"]] as const
    const xml = buildEnvelope({version: '87', operation: 'GetArchiveListByColumns2', headers: {ticket: sandbox.current.demoTicket}, body})
    const res = await fetch(`${sandbox.current.url}/Remote/Services87/Archive.svc`, {
      method: 'POST',
      headers: {'content-type': 'text/xml; charset=utf-8', soapaction: soapAction('87', 'Archive', 'GetArchiveListByColumns2')},
      body: xml,
    })
    expect(res.status).toBe(500)
    expect(await res.text()).toMatch(/Schema validation failed.*ProviderName/)
  })

  it('serves the Archive WSDL of each version', async () => {
    const text = await (await fetch(`${sandbox.current.url}/Remote/Services88/Archive.svc?wsdl`)).text()
    expect(text).toContain('http://www.superoffice.net/ws/crm/NetServer/Services88/Archive/GetArchiveListByColumns2')
  })
})

describe('SaveEMailAccount and the user directory', () => {
  it('refuses an associate the installation does not have, as a foreign key', async () => {
    const {EMailService} = await import('../../src/soap/email-service.js')
    const transport = new SoapTransport({timeoutMs: 10_000})
    transports.push(transport)
    const email = new EMailService(new NetServerClient({baseUrl: sandbox.current.url, version: '87', ticket: sandbox.current.demoTicket, allowHttp: true}, transport))
    const acted = sandbox.current.stats().acted
    const error = await email.saveEMailAccount({emailAddress: 'x@example.no', associateId: 3999}).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(NetServerError)
    expect((error as NetServerError).exceptionTypes).toEqual(['SoDbAccessException', 'SqlException'])
    expect((error as NetServerError).message).toMatch(/associate 3999 does not exist/)
    expect(sandbox.current.stats().acted).toBe(acted)
    await expect(email.saveEMailAccount({emailAddress: 'x@example.no', associateId: 12})).resolves.toMatchObject({associateId: 12})
  })
})

describe('--users FILE', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'soemail-users-'))
  })
  afterAll(() => rm(dir, {recursive: true, force: true}))

  it('loads a ; separated export, adds the demo login, and serves it', async () => {
    const file = join(dir, 'users.csv')
    await writeFile(file, '\ufeffassociate_id;user_name;full_name;email;active;type\r\n101;marit;Marit Dahl;marit@firma.no;true;person\r\n102;svc;Integrasjon;;true;system\r\n')
    const users = await loadUserDirectory(file)
    expect(users.all().map((u) => [u.associateId, u.userName, u.type])).toEqual([[5, 'demo', 'associate'], [101, 'marit', 'associate'], [102, 'svc', 'system']])
    const sb = await startSandbox({users})
    try {
      const rows = await archive(sb).getArchiveListByColumns2(query("userName oneOf('marit','kari')"))
      expect(rows.map((r) => r.primaryKey)).toEqual([101])
    } finally {
      await sb.close()
    }
  })

  it.each([
    ['associate_id,user_name,full_name,email,active\n', /line 1: the header has no type column/],
    ['associate_id,user_name,full_name,email,active,type\n7,a,A,a@x.no,maybe,person\n', /line 2: active is "maybe"/],
    ['associate_id,user_name,full_name,email,active,type\n7,a,A,a@x.no,true,person\n\n7,b,B,b@x.no,true,person\n', /line 4: associate_id 7 is already on line 2/],
    ['associate_id,user_name,full_name,email,active,type\nx,a,A,a@x.no,true,person\n', /line 2: associate_id is "x"/],
  ])('names the line of a bad file (%#)', async (text, message) => {
    const file = join(dir, 'bad.csv')
    await writeFile(file, text)
    const error = await loadUserDirectory(file).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(SandboxUsersError)
    expect((error as Error).message).toMatch(message)
  })
})
