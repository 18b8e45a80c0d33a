import {mkdtemp, readFile, rm, stat, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {EMailAccount} from '../../src/soap/account-model.js'
import {accountFields, parseAccount} from '../../src/soap/account-xml.js'
import {buildEnvelope, type RequestHeaders, type XmlFields} from '../../src/soap/envelope.js'
import {NetServerError} from '../../src/soap/errors.js'
import {parseSoapResponse} from '../../src/soap/response.js'
import {servicesNamespace, soapAction, type ApiVersion, type ServiceName} from '../../src/soap/versions.js'
import {child, isNil, parseXml, type XElement} from '../../src/soap/xml-tree.js'
import {validateEnvelope} from '../../src/sandbox/schema.js'
import {startSandbox, type Sandbox} from '../../src/sandbox/server.js'

const NS87 = servicesNamespace('87')
const SOAP11 = 'http://schemas.xmlsoap.org/soap/envelope/'

interface Exchange {
  status: number
  contentType: string | null
  text: string
}

async function post(sb: Sandbox, path: string, body: string, headers: Record<string, string>): Promise<Exchange> {
  const res = await fetch(`${sb.url}${path}`, {method: 'POST', headers, body})
  return {status: res.status, contentType: res.headers.get('content-type'), text: await res.text()}
}

function endpoint(service: ServiceName, version: ApiVersion = '87'): string {
  return `/Remote/Services${version}/${service}.svc`
}

/** A correct SOAP 1.1 request, built by the client's own envelope builder. */
async function call(sb: Sandbox, service: ServiceName, operation: string, body: XmlFields, headers: RequestHeaders, version: ApiVersion = '87'): Promise<Exchange> {
  const xml = buildEnvelope({version, operation, headers, body})
  return post(sb, endpoint(service, version), xml, {'content-type': 'text/xml; charset=utf-8', soapaction: `"${soapAction(version, service, operation)}"`})
}

/** The response wrapper as the client reads it; throws NetServerError or SoapFaultError like the real client. */
function answer(ex: Exchange, operation: string, responseElement?: string, version: ApiVersion = '87'): XElement {
  return parseSoapResponse(ex.text, {operation, ns: servicesNamespace(version), url: 'sandbox', status: ex.status, contentType: ex.contentType ?? undefined, responseElement}).body
}

function netServerError(ex: Exchange, operation: string): NetServerError {
  try {
    answer(ex, operation)
  } catch (error) {
    if (error instanceof NetServerError) return error
    throw error
  }
  throw new Error(`${operation} succeeded, expected a NetServer refusal`)
}

function fault(ex: Exchange): {code: string; text: string} {
  expect(ex.status).toBe(500)
  expect(ex.contentType).toMatch(/^text\/xml/)
  const env = parseXml(ex.text)
  const f = child(child(env, SOAP11, 'Body'), SOAP11, 'Fault')
  expect(f, ex.text).toBeDefined()
  return {code: f!.children.find((c) => c.local === 'faultcode')!.text, text: f!.children.find((c) => c.local === 'faultstring')!.text}
}

function responseAccount(wrapper: XElement): EMailAccount | undefined {
  const el = child(wrapper, NS87, 'Response')
  return el && !isNil(el) ? parseAccount(el, '87') : undefined
}

const jane: EMailAccount = {
  emailAddress: 'jane.doe@example.com',
  associateId: 5,
  incoming: {serviceAuthId: 0, server: 'imap.example.com', port: 993, authType: 'plain-text', username: 'jane', password: 'in-secret'},
  outgoing: {serviceAuthId: 0, server: 'smtp.example.com', port: 587, authType: 'plain-text', username: 'jane', password: 'out-secret'},
}

const saveBody = (account: EMailAccount): XmlFields => [['EMailAccount', accountFields(account, '87')]]

/** The reference SaveEMailAccount request (SOAP 1.1, headers inside soap:Header), with a placeholder for the EMailAccount children. */
function saveXml(accountChildren: string, ticket: string, ns = NS87): string {
  return `<?xml version="1.0" encoding="utf-8"?>
<soap:Envelope xmlns:soap="${SOAP11}" xmlns:so="${ns}">
  <soap:Header><so:Credentials><so:Ticket>${ticket}</so:Ticket></so:Credentials></soap:Header>
  <soap:Body><so:SaveEMailAccount><so:EMailAccount>${accountChildren}</so:EMailAccount></so:SaveEMailAccount></soap:Body>
</soap:Envelope>`
}

const SOAP_HEADERS = (action: string) => ({'content-type': 'text/xml; charset=utf-8', soapaction: `"${action}"`})

describe('sandbox', () => {
  let sb: Sandbox
  const logLines: string[] = []

  beforeAll(async () => {
    sb = await startSandbox({log: (line) => logLines.push(line)})
  })
  afterAll(async () => {
    await sb.close()
  })

  describe('SoPrincipal login', () => {
    it('demo/demo gets a 7T: ticket that the EMail service accepts, in a schema-valid answer', async () => {
      const ex = await call(sb, 'SoPrincipal', 'AuthenticateUsernamePassword', [['UserName', 'demo'], ['Password', 'demo']], {applicationToken: 'app'})
      expect(ex.status).toBe(200)
      expect(await validateEnvelope(ex.text, 'SoPrincipal', '87')).toEqual([])
      const res = answer(ex, 'AuthenticateUsernamePassword', 'AuthenticateResponse')
      expect(child(res, NS87, 'AuthenticationSucceeded')?.text).toBe('true')
      const ticket = child(child(res, NS87, 'Credentials'), NS87, 'Ticket')?.text ?? ''
      expect(ticket).toMatch(/^7T:[A-Za-z0-9+/]+=*$/)
      expect(ticket).not.toBe(sb.demoTicket)
      const carrier = child(res, NS87, 'Response')
      expect(child(carrier, NS87, 'AssociateId')?.text).toBe('5')
      expect(child(carrier, NS87, 'FullName')?.text).toBe('Demo User')
      expect(child(carrier, NS87, 'UserType')?.text).toBe('InternalAssociate')

      const lookup = await call(sb, 'EMail', 'GetEMailAccountFromEMailAddress', [['FromAddress', 'nobody@example.com']], {ticket})
      expect(isNil(child(answer(lookup, 'GetEMailAccountFromEMailAddress'), NS87, 'Response')!)).toBe(true)
    })

    it('a wrong password answers AuthenticationSucceeded=false without a ticket, and Succeeded=true', async () => {
      const ex = await call(sb, 'SoPrincipal', 'AuthenticateUsernamePassword', [['UserName', 'demo'], ['Password', 'wrong']], {})
      expect(ex.status).toBe(200)
      expect(await validateEnvelope(ex.text, 'SoPrincipal', '87')).toEqual([])
      const res = answer(ex, 'AuthenticateUsernamePassword', 'AuthenticateResponse')
      expect(child(res, NS87, 'AuthenticationSucceeded')?.text).toBe('false')
      expect(ex.text).not.toContain('Ticket')
    })

    it('answers on every supported version with that version’s namespace', async () => {
      const ex = await call(sb, 'SoPrincipal', 'AuthenticateUsernamePassword', [['UserName', 'DEMO'], ['Password', 'demo']], {}, '88')
      const res = answer(ex, 'AuthenticateUsernamePassword', 'AuthenticateResponse', '88')
      expect(child(res, servicesNamespace('88'), 'AuthenticationSucceeded')?.text).toBe('true')
    })
  })

  describe('EMail account operations', () => {
    it('save creates, get reads, save with the id updates, delete removes, and get then reports SoNotFoundException', async () => {
      const ticket = sb.demoTicket
      const created = await call(sb, 'EMail', 'SaveEMailAccount', saveBody({...jane, emailAccountId: 0}), {ticket, applicationToken: 'app'})
      expect(await validateEnvelope(created.text, 'EMail', '87')).toEqual([])
      const stored = responseAccount(answer(created, 'SaveEMailAccount'))!
      expect(stored.emailAccountId).toBeGreaterThan(0)
      expect(stored.incoming?.serviceAuthId).toBeGreaterThan(0)
      expect(stored.outgoing?.serviceAuthId).toBeGreaterThan(0)
      expect(stored.outgoing?.serviceAuthId).not.toBe(stored.incoming?.serviceAuthId)
      expect(stored).toMatchObject({emailAddress: jane.emailAddress, associateId: 5, incoming: {server: 'imap.example.com', password: 'in-secret'}})
      const id = stored.emailAccountId!

      const got = await call(sb, 'EMail', 'GetEMailAccount', [['EMailAccountId', id]], {ticket})
      expect(await validateEnvelope(got.text, 'EMail', '87')).toEqual([])
      expect(responseAccount(answer(got, 'GetEMailAccount'))).toEqual(stored)

      const change: EMailAccount = {...jane, emailAccountId: id, emailAddress: 'jane@example.org', incoming: {...jane.incoming, serviceAuthId: 0, port: 143}}
      const updated = responseAccount(answer(await call(sb, 'EMail', 'SaveEMailAccount', saveBody(change), {ticket}), 'SaveEMailAccount'))!
      expect(updated.emailAccountId).toBe(id)
      expect(updated.emailAddress).toBe('jane@example.org')
      expect(updated.incoming).toMatchObject({serviceAuthId: stored.incoming?.serviceAuthId, port: 143})
      expect(sb.accounts().find((a) => a.emailAccountId === id)?.emailAddress).toBe('jane@example.org')

      const deleted = await call(sb, 'EMail', 'DeleteEMailAccount', [['EMailAccountId', id]], {ticket})
      expect(await validateEnvelope(deleted.text, 'EMail', '87')).toEqual([])
      expect(answer(deleted, 'DeleteEMailAccount').children).toEqual([])
      expect(sb.accounts().some((a) => a.emailAccountId === id)).toBe(false)

      const gone = await call(sb, 'EMail', 'GetEMailAccount', [['EMailAccountId', id]], {ticket})
      expect(gone.status).toBe(200)
      expect(await validateEnvelope(gone.text, 'EMail', '87')).toEqual([])
      const error = netServerError(gone, 'GetEMailAccount')
      expect(error.exceptionTypes).toEqual(['SoNotFoundException', 'SoDbAccessException'])
      expect(error.info.parameters).toEqual({EMailAccountId: String(id)})
    })

    it('hands back passwords exactly as saved, including text that looks like markup or references', async () => {
      const password = 'p&amp;w x&nbsp;y <b>"\'\r\nend'
      const saved = responseAccount(answer(await call(sb, 'EMail', 'SaveEMailAccount', saveBody({...jane, incoming: {...jane.incoming, password}}), {ticket: sb.demoTicket}), 'SaveEMailAccount'))!
      expect(sb.accounts().find((a) => a.emailAccountId === saved.emailAccountId)?.incoming?.password).toBe(password)
      const got = await call(sb, 'EMail', 'GetEMailAccount', [['EMailAccountId', saved.emailAccountId!]], {ticket: sb.demoTicket})
      expect(responseAccount(answer(got, 'GetEMailAccount'))?.incoming?.password).toBe(password)
    })

    it('updating or deleting an id that does not exist reports SoNotFoundException', async () => {
      const update = await call(sb, 'EMail', 'SaveEMailAccount', saveBody({...jane, emailAccountId: 9999}), {ticket: sb.demoTicket})
      expect(netServerError(update, 'SaveEMailAccount').info.exceptionType).toBe('SoNotFoundException')
      const del = await call(sb, 'EMail', 'DeleteEMailAccount', [['EMailAccountId', 9999]], {ticket: sb.demoTicket})
      expect(netServerError(del, 'DeleteEMailAccount').info.exceptionType).toBe('SoNotFoundException')
      expect(sb.accounts().some((a) => a.emailAccountId === 9999)).toBe(false)
    })

    it('finds the caller’s account by address and hands out a blank default account', async () => {
      const saved = responseAccount(answer(await call(sb, 'EMail', 'SaveEMailAccount', saveBody({...jane, emailAddress: 'Find.Me@example.com'}), {ticket: sb.demoTicket}), 'SaveEMailAccount'))!
      const found = await call(sb, 'EMail', 'GetEMailAccountFromEMailAddress', [['FromAddress', 'find.me@EXAMPLE.com']], {ticket: sb.demoTicket})
      expect(responseAccount(answer(found, 'GetEMailAccountFromEMailAddress'))?.emailAccountId).toBe(saved.emailAccountId)

      const blank = await call(sb, 'EMail', 'CreateDefaultEMailAccount', [], {ticket: sb.demoTicket})
      expect(await validateEnvelope(blank.text, 'EMail', '87')).toEqual([])
      expect(responseAccount(answer(blank, 'CreateDefaultEMailAccount'))).toMatchObject({emailAccountId: 0, associateId: 5, incoming: {port: 993}, outgoing: {port: 587}})
    })

    it('refuses a negative AssociateId with SoValidationException and stores nothing', async () => {
      const before = sb.accounts().length
      const ex = await call(sb, 'EMail', 'SaveEMailAccount', saveBody({...jane, associateId: -3}), {ticket: sb.demoTicket})
      expect(netServerError(ex, 'SaveEMailAccount').info.exceptionType).toBe('SoValidationException')
      expect(sb.accounts()).toHaveLength(before)
    })

    it('an unknown or missing ticket is refused with SoSessionException over HTTP 200', async () => {
      const bad = await call(sb, 'EMail', 'GetEMailAccount', [['EMailAccountId', 1]], {ticket: '7T:bm90LWEtdGlja2V0'})
      expect(bad.status).toBe(200)
      expect(await validateEnvelope(bad.text, 'EMail', '87')).toEqual([])
      const error = netServerError(bad, 'GetEMailAccount')
      expect(error.info.exceptionType).toBe('SoSessionException')
      expect(error.info.message).toMatch(/not valid or has expired/)
      expect(error.info.message).not.toContain('bm90LWEtdGlja2V0')

      const none = await call(sb, 'EMail', 'SaveEMailAccount', saveBody(jane), {})
      expect(netServerError(none, 'SaveEMailAccount').info.exceptionType).toBe('SoSessionException')
    })

    it('gives parallel creates distinct ids', async () => {
      const results = await Promise.all(
        Array.from({length: 12}, (_, i) => call(sb, 'EMail', 'SaveEMailAccount', saveBody({...jane, emailAddress: `p${i}@example.com`}), {ticket: sb.demoTicket})),
      )
      const ids = results.map((ex) => responseAccount(answer(ex, 'SaveEMailAccount'))!.emailAccountId)
      expect(new Set(ids).size).toBe(12)
    })
  })

  describe('strict request checks', () => {
    const saveAction = soapAction('87', 'EMail', 'SaveEMailAccount')

    it('answers a SOAP 1.2 content type with a bare 415', async () => {
      const xml = buildEnvelope({version: '87', operation: 'SaveEMailAccount', headers: {ticket: sb.demoTicket}, body: saveBody(jane)})
      const ex = await post(sb, endpoint('EMail'), xml, {'content-type': `application/soap+xml; charset=utf-8; action="${saveAction}"`})
      expect(ex.status).toBe(415)
      expect(ex.text).toBe('')
    })

    it('answers a SOAP 1.2 envelope with a VersionMismatch fault', async () => {
      const xml = `<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body/></e:Envelope>`
      expect(fault(await post(sb, endpoint('EMail'), xml, SOAP_HEADERS(saveAction))).code).toBe('s:VersionMismatch')
    })

    it('answers XML that is not well-formed with a client fault', async () => {
      const f = fault(await post(sb, endpoint('EMail'), '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>', SOAP_HEADERS(saveAction)))
      expect(f.code).toBe('s:Client')
      expect(f.text).toMatch(/not well-formed/)
    })

    it('rejects headers placed directly under Envelope, as the published examples show them', async () => {
      const xml = `<soap:Envelope xmlns:soap="${SOAP11}" xmlns:so="${NS87}">
  <so:ApplicationToken>app</so:ApplicationToken>
  <so:Credentials><so:Ticket>${sb.demoTicket}</so:Ticket></so:Credentials>
  <soap:Body><so:GetEMailAccount><so:EMailAccountId>1</so:EMailAccountId></so:GetEMailAccount></soap:Body>
</soap:Envelope>`
      const f = fault(await post(sb, endpoint('EMail'), xml, SOAP_HEADERS(soapAction('87', 'EMail', 'GetEMailAccount'))))
      expect(f.code).toBe('s:Client')
      expect(f.text).toMatch(/must be inside soap:Header/)
    })

    it('rejects EMailAccount members out of schema order with a schema fault naming the element', async () => {
      const children = '<so:EMailAddress>a@example.com</so:EMailAddress><so:EMailAccountId>0</so:EMailAccountId>'
      const f = fault(await post(sb, endpoint('EMail'), saveXml(children, sb.demoTicket), SOAP_HEADERS(saveAction)))
      expect(f.text).toMatch(/^Schema validation failed:/)
      expect(f.text).toContain('EMailAccountId')
    })

    it('rejects a value that is not an xs:int with a schema fault', async () => {
      const f = fault(await post(sb, endpoint('EMail'), saveXml('<so:EMailAccountId>zero</so:EMailAccountId>', sb.demoTicket), SOAP_HEADERS(saveAction)))
      expect(f.text).toMatch(/^Schema validation failed:.*EMailAccountId/)
    })

    it('rejects an unknown or missing SOAPAction with a ContractFilter mismatch fault', async () => {
      const xml = saveXml('<so:EMailAccountId>0</so:EMailAccountId>', sb.demoTicket)
      const wrong = fault(await post(sb, endpoint('EMail'), xml, SOAP_HEADERS(`${NS87}/EMail/SaveAccount`)))
      expect(wrong.code).toBe('s:Client')
      expect(wrong.text).toContain(`The message with Action '${NS87}/EMail/SaveAccount' cannot be processed at the receiver, due to a ContractFilter mismatch`)
      const missing = fault(await post(sb, endpoint('EMail'), xml, {'content-type': 'text/xml'}))
      expect(missing.text).toContain("Action ''")
    })

    it('accepts an unquoted SOAPAction and a content type without charset', async () => {
      const xml = buildEnvelope({version: '87', operation: 'GetEMailAccountFromEMailAddress', headers: {ticket: sb.demoTicket}, body: [['FromAddress', 'x@example.com']]})
      const ex = await post(sb, endpoint('EMail'), xml, {'content-type': 'text/xml', soapaction: soapAction('87', 'EMail', 'GetEMailAccountFromEMailAddress')})
      expect(ex.status).toBe(200)
    })

    it('rejects a Services87 envelope sent to the Services88 endpoint', async () => {
      const xml = buildEnvelope({version: '87', operation: 'GetEMailAccount', headers: {ticket: sb.demoTicket}, body: [['EMailAccountId', 1]]})
      const with87Action = fault(await post(sb, endpoint('EMail', '88'), xml, SOAP_HEADERS(soapAction('87', 'EMail', 'GetEMailAccount'))))
      expect(with87Action.text).toMatch(/ContractFilter mismatch/)
      const with88Action = fault(await post(sb, endpoint('EMail', '88'), xml, SOAP_HEADERS(soapAction('88', 'EMail', 'GetEMailAccount'))))
      expect(with88Action.text).toContain(`expects '${servicesNamespace('88')}'`)
    })

    it('rejects a body element that does not match the SOAPAction', async () => {
      const xml = buildEnvelope({version: '87', operation: 'GetEMailAccount', headers: {ticket: sb.demoTicket}, body: [['EMailAccountId', 1]]})
      const f = fault(await post(sb, endpoint('EMail'), xml, SOAP_HEADERS(soapAction('87', 'EMail', 'DeleteEMailAccount'))))
      expect(f.text).toMatch(/does not match the SOAPAction's operation EMail\/DeleteEMailAccount/)
    })

    it('rejects header elements in the Body and headers the service does not declare', async () => {
      const inBody = `<soap:Envelope xmlns:soap="${SOAP11}" xmlns:so="${NS87}"><soap:Body>
  <so:Credentials><so:Ticket>${sb.demoTicket}</so:Ticket></so:Credentials>
  <so:GetEMailAccount><so:EMailAccountId>1</so:EMailAccountId></so:GetEMailAccount></soap:Body></soap:Envelope>`
      const getAction = soapAction('87', 'EMail', 'GetEMailAccount')
      expect(fault(await post(sb, endpoint('EMail'), inBody, SOAP_HEADERS(getAction))).text).toMatch(/Credentials is inside soap:Body/)

      const loginWithTicket = buildEnvelope({version: '87', operation: 'AuthenticateUsernamePassword', headers: {ticket: sb.demoTicket}, body: [['UserName', 'demo'], ['Password', 'demo']]})
      const f = fault(await post(sb, endpoint('SoPrincipal'), loginWithTicket, SOAP_HEADERS(soapAction('87', 'SoPrincipal', 'AuthenticateUsernamePassword'))))
      expect(f.text).toMatch(/not understood by SoPrincipal\.svc/)
    })
  })

  describe('HTTP surface', () => {
    it('answers an unknown path with an IIS-style 404 HTML page', async () => {
      const res = await fetch(`${sb.url}/Remote/Services87/Mail.svc`, {method: 'POST', headers: {'content-type': 'text/xml'}, body: '<x/>'})
      expect(res.status).toBe(404)
      expect(res.headers.get('content-type')).toMatch(/^text\/html/)
      expect(await res.text()).toContain('404 - File or directory not found.')
    })

    it('matches the service path case-insensitively, as IIS does', async () => {
      const xml = buildEnvelope({version: '87', operation: 'AuthenticateUsernamePassword', headers: {}, body: [['UserName', 'demo'], ['Password', 'demo']]})
      const url = sb.url.replace(/\/SuperOffice$/, '/superoffice/remote/services87/soprincipal.svc')
      const res = await fetch(url, {method: 'POST', headers: SOAP_HEADERS(soapAction('87', 'SoPrincipal', 'AuthenticateUsernamePassword')), body: xml})
      expect(res.status).toBe(200)
    })

    it('serves the WSDL with the sandbox address, a help page for other GETs, and 405 for other methods', async () => {
      const wsdl = await fetch(`${sb.url}${endpoint('EMail', '88')}?wsdl`)
      expect(wsdl.status).toBe(200)
      expect(wsdl.headers.get('content-type')).toMatch(/^text\/xml/)
      const text = await wsdl.text()
      expect(text).toContain('name="WcfEMailService"')
      expect(text).toContain(`location="${sb.url}/Remote/Services88/EMail.svc"`)
      expect(text).toContain('Services88/EMail/GetUnsanitizedEMail')

      const help = await fetch(`${sb.url}${endpoint('SoPrincipal')}`)
      expect(help.status).toBe(200)
      expect(await help.text()).toContain('You have created a service.')

      expect((await fetch(`${sb.url}${endpoint('EMail')}`, {method: 'PUT', body: 'x'})).status).toBe(405)
    })

    it('logs one line per request without secrets', () => {
      expect(logLines.some((l) => /^POST \/SuperOffice\/Remote\/Services87\/EMail\.svc SaveEMailAccount 200 \d+ms$/.test(l))).toBe(true)
      const all = logLines.join('\n')
      for (const secret of ['demo</', 'in-secret', 'out-secret', sb.demoTicket, '7T:']) expect(all).not.toContain(secret)
    })
  })
})

describe('sandbox lifecycle', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'soemail-sandbox-'))
  })
  afterAll(async () => {
    await rm(dir, {recursive: true, force: true})
  })

  it('keeps accounts and tickets in a 0600 data file across a restart', async () => {
    const dataFile = join(dir, 'store', 'sandbox.json')
    const first = await startSandbox({dataFile, schemaCheck: false})
    const saved = responseAccount(answer(await call(first, 'EMail', 'SaveEMailAccount', saveBody(jane), {ticket: first.demoTicket}), 'SaveEMailAccount'))!
    await first.close()

    expect((await stat(dataFile)).mode & 0o777).toBe(0o600)
    const contents = await readFile(dataFile, 'utf8')
    expect(contents).not.toContain(first.demoTicket)

    const second = await startSandbox({dataFile, schemaCheck: false})
    try {
      // The store keeps the Services88 (2026) columns too; an 87 answer leaves them out.
      expect(second.accounts()).toEqual([{...saved, inboxFolder: '', sentFolder: '', simpleMode: 0}])
      const got = await call(second, 'EMail', 'GetEMailAccount', [['EMailAccountId', saved.emailAccountId!]], {ticket: first.demoTicket})
      expect(responseAccount(answer(got, 'GetEMailAccount'))).toEqual(saved)
      const next = responseAccount(answer(await call(second, 'EMail', 'SaveEMailAccount', saveBody(jane), {ticket: second.demoTicket}), 'SaveEMailAccount'))!
      expect(next.emailAccountId).toBe(saved.emailAccountId! + 1)
      expect(next.incoming!.serviceAuthId).toBeGreaterThan(saved.outgoing!.serviceAuthId!)
    } finally {
      await second.close()
    }
  })

  it('refuses to start on a data file it cannot read as its own or cannot write', async () => {
    const dataFile = join(dir, 'other.json')
    await writeFile(dataFile, '{"hello": 1}')
    await expect(startSandbox({dataFile})).rejects.toThrow(/not a soemail-sandbox data file/)
    await expect(startSandbox({dataFile: join(dataFile, 'below-a-file.json')})).rejects.toThrow(/cannot be written/)
  })

  it('with the schema check off, still refuses a number WCF could not deserialize', async () => {
    const sb = await startSandbox({schemaCheck: false})
    try {
      const ex = await post(sb, endpoint('EMail'), saveXml('<so:EMailAccountId>12abc</so:EMailAccountId>', sb.demoTicket), SOAP_HEADERS(soapAction('87', 'EMail', 'SaveEMailAccount')))
      expect(fault(ex).text).toMatch(/deserialize/)
      expect(sb.accounts()).toEqual([])
    } finally {
      await sb.close()
    }
  })

  it('close() ends idle keep-alive connections at once', async () => {
    const sb = await startSandbox({schemaCheck: false, latencyMs: 50})
    const started = performance.now()
    const ex = await call(sb, 'SoPrincipal', 'AuthenticateUsernamePassword', [['UserName', 'demo'], ['Password', 'demo']], {})
    expect(ex.status).toBe(200)
    expect(performance.now() - started).toBeGreaterThanOrEqual(45)
    const closing = performance.now()
    await sb.close()
    expect(performance.now() - closing).toBeLessThan(1000)
  })
})

describe('sandbox: Services88 as published in 2026', () => {
  let sb: Sandbox
  beforeAll(async () => {
    sb = await startSandbox({port: 0})
  })
  afterAll(async () => {
    await sb.close()
  })

  const in88 = {...jane, inboxFolder: 'INBOX/CRM', sentFolder: 'Sent', simpleMode: 1}
  const get = (id: number, version: ApiVersion) => call(sb, 'EMail', 'GetEMailAccount', [['EMailAccountId', id]], {ticket: sb.demoTicket}, version)

  it('stores and answers the 2026 members on 88, LastFetch as DateTime.MinValue until a fetch is recorded', async () => {
    const saved = await call(sb, 'EMail', 'SaveEMailAccount', [['EMailAccount', accountFields(in88, '88')]], {ticket: sb.demoTicket}, '88')
    expect(saved.status, saved.text).toBe(200)
    const id = parseAccount(child(answer(saved, 'SaveEMailAccount', undefined, '88'), servicesNamespace('88'), 'Response')!, '88').emailAccountId!
    const read = (ex: Exchange) => parseAccount(child(answer(ex, 'GetEMailAccount', undefined, '88'), servicesNamespace('88'), 'Response')!, '88')
    expect(read(await get(id, '88'))).toMatchObject({inboxFolder: 'INBOX/CRM', sentFolder: 'Sent', simpleMode: 1, lastFetch: '0001-01-01T00:00:00'})
    sb.setSyncState(id, {accountStatus: 4, lastFetch: '2026-02-03T04:05:06'})
    expect(read(await get(id, '88')).lastFetch).toBe('2026-02-03T04:05:06')
  })

  it.each(['86', '87'] as const)('never emits them in a %s answer', async (version) => {
    const saved = await call(sb, 'EMail', 'SaveEMailAccount', [['EMailAccount', accountFields(in88, '88')]], {ticket: sb.demoTicket}, '88')
    const id = parseAccount(child(answer(saved, 'SaveEMailAccount', undefined, '88'), servicesNamespace('88'), 'Response')!, '88').emailAccountId!
    const ex = await get(id, version)
    expect(ex.status, ex.text).toBe(200)
    expect(ex.text).toContain('jane.doe@example.com')
    expect(ex.text).not.toMatch(/InboxFolder|SentFolder|SimpleMode|LastFetch/)
  })

  it('refuses a 87 request carrying InboxFolder by its schema check, and stores nothing', async () => {
    const before = sb.accounts().length
    const xml = buildEnvelope({version: '88', operation: 'SaveEMailAccount', headers: {ticket: sb.demoTicket}, body: [['EMailAccount', accountFields(in88, '88')]]}).replaceAll('NetServer/Services88', 'NetServer/Services87')
    const ex = await post(sb, endpoint('EMail', '87'), xml, {'content-type': 'text/xml; charset=utf-8', soapaction: `"${soapAction('87', 'EMail', 'SaveEMailAccount')}"`})
    expect(ex.status).toBe(500)
    expect(ex.text).toMatch(/InboxFolder/)
    expect(sb.accounts().length).toBe(before)
  })
})
