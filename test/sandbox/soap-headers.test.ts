import {readFileSync} from 'node:fs'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {servicesNamespace, soapAction, type ServiceName} from '../../src/soap/versions.js'
import {child, parseXml} from '../../src/soap/xml-tree.js'
import {startSandbox, type Sandbox} from '../../src/sandbox/server.js'

/**
 * Envelopes as python zeep sends them (test/fixtures/reference-envelopes/ are zeep's renderings from the
 * WSDLs), with the WS-Addressing headers zeep adds by default appended to soap-env:Header the way its
 * WsAddressingPlugin does. WCF's basicHttpBinding ignores headers it does not know unless they are
 * marked mustUnderstand, and answers those with a MustUnderstand fault.
 */

const SOAP11 = 'http://schemas.xmlsoap.org/soap/envelope/'
const WSA = 'http://www.w3.org/2005/08/addressing'
const NS87 = servicesNamespace('87')
const FIXTURE_TICKET = /7T:[A-Za-z0-9+/=]+/
const PSU_NS = 'http://www.superoffice.com/superid/partnersystemuser/0.1'
const PSU_ACTION = `${PSU_NS}/IPartnerSystemUserService/Authenticate`

const reference = (name: string) => readFileSync(new URL(`../fixtures/reference-envelopes/${name}.xml`, import.meta.url), 'utf8')

/** zeep's three WS-Addressing headers; `mustUnderstand` goes on wsa:Action when given. */
function wsaHeaders(action: string, to: string, mustUnderstand?: string): string {
  const mu = mustUnderstand === undefined ? '' : ` soap-env:mustUnderstand="${mustUnderstand}"`
  return (
    `<wsa:Action xmlns:wsa="${WSA}"${mu}>${action}</wsa:Action>` +
    `<wsa:MessageID xmlns:wsa="${WSA}">urn:uuid:1b0c9d5e-4f3a-4c8e-9a51-0d6f2e7b3c11</wsa:MessageID>` +
    `<wsa:To xmlns:wsa="${WSA}">${to}</wsa:To>`
  )
}

function withWsa(envelope: string, action: string, to: string, mustUnderstand?: string): string {
  return envelope.replace('</soap-env:Header>', `${wsaHeaders(action, to, mustUnderstand)}\n  </soap-env:Header>`)
}

interface Exchange {
  status: number
  text: string
}

function faultOf(ex: Exchange): {code: string; text: string} {
  expect(ex.status, ex.text).toBe(500)
  const f = child(child(parseXml(ex.text), SOAP11, 'Body'), SOAP11, 'Fault')
  expect(f, ex.text).toBeDefined()
  return {code: f!.children.find((c) => c.local === 'faultcode')!.text, text: f!.children.find((c) => c.local === 'faultstring')!.text}
}

const succeeded = (ex: Exchange) => /<h:Succeeded [^>]*>true<\/h:Succeeded>/.test(ex.text)

describe.each([true, false])('sandbox (schema check %s): SOAP headers the service does not know', (schemaCheck) => {
  let sb: Sandbox
  beforeAll(async () => {
    sb = await startSandbox({schemaCheck})
  })
  afterAll(async () => {
    await sb.close()
  })

  const url = (service: ServiceName) => `${sb.url}/Remote/Services87/${service}.svc`
  const post = async (service: ServiceName, body: string, headers: Record<string, string> = {}, operation?: string): Promise<Exchange> => {
    const action = soapAction('87', service, operation ?? '')
    const res = await fetch(url(service), {method: 'POST', headers: {'content-type': 'text/xml; charset=utf-8', soapaction: `"${action}"`, ...headers}, body})
    return {status: res.status, text: await res.text()}
  }
  const save = (ticket: string) => reference('SaveEMailAccount').replace(FIXTURE_TICKET, ticket)
  const login = () => reference('AuthenticateUsernamePassword').replace('<ns0:UserName>jane</ns0:UserName>', '<ns0:UserName>demo</ns0:UserName>').replace('<ns0:Password>secret</ns0:Password>', '<ns0:Password>demo</ns0:Password>')
  const saveAction = soapAction('87', 'EMail', 'SaveEMailAccount')
  const loginAction = soapAction('87', 'SoPrincipal', 'AuthenticateUsernamePassword')

  it("EMail: zeep's SaveEMailAccount with wsa:Action, wsa:MessageID and wsa:To is accepted and the account stored", async () => {
    const before = sb.accounts().length
    const ex = await post('EMail', withWsa(save(sb.demoTicket), saveAction, url('EMail')), {}, 'SaveEMailAccount')
    expect(ex.status, ex.text).toBe(200)
    expect(succeeded(ex)).toBe(true)
    expect(ex.text).toContain('<EMailAddress>jane.doe@example.com</EMailAddress>')
    expect(sb.accounts()).toHaveLength(before + 1)
  })

  it("SoPrincipal: zeep's AuthenticateUsernamePassword with the wsa headers logs in", async () => {
    const ex = await post('SoPrincipal', withWsa(login(), loginAction, url('SoPrincipal')), {}, 'AuthenticateUsernamePassword')
    expect(ex.status, ex.text).toBe(200)
    expect(ex.text).toMatch(/<AuthenticationSucceeded>true<\/AuthenticationSucceeded>/)
    expect(ex.text).toMatch(/<Ticket>7T:/)
  })

  it.each([
    ['EMail', 'SaveEMailAccount'],
    ['SoPrincipal', 'AuthenticateUsernamePassword'],
  ] as const)('%s: mustUnderstand="0" on wsa:Action is still ignored', async (service, operation) => {
    const envelope = service === 'EMail' ? save(sb.demoTicket) : login()
    const ex = await post(service, withWsa(envelope, soapAction('87', service, operation), url(service), '0'), {}, operation)
    expect(ex.status, ex.text).toBe(200)
  })

  it.each([
    ['EMail', 'SaveEMailAccount', '1'],
    ['EMail', 'SaveEMailAccount', 'true'],
    ['SoPrincipal', 'AuthenticateUsernamePassword', '1'],
    ['SoPrincipal', 'AuthenticateUsernamePassword', 'true'],
  ] as const)('%s %s: wsa:Action with mustUnderstand="%s" gets WCF\'s MustUnderstand fault and nothing is done', async (service, operation, mu) => {
    const before = sb.accounts().length
    const envelope = service === 'EMail' ? save(sb.demoTicket) : login()
    const f = faultOf(await post(service, withWsa(envelope, soapAction('87', service, operation), url(service), mu), {}, operation))
    expect(f.code).toBe('s:MustUnderstand')
    expect(f.text).toBe(
      `The header 'Action' from the namespace '${WSA}' was not understood by the recipient of this message, causing the message to not be processed. This error typically indicates that the sender of this message has enabled a communication protocol that the receiver cannot process. Please ensure that the configuration of the client's binding is consistent with the service's binding.`,
    )
    expect(sb.accounts()).toHaveLength(before)
  })

  describe('the wsa headers do not loosen any other check', () => {
    const zeepSave = () => withWsa(save(sb.demoTicket), saveAction, url('EMail'))

    it.runIf(schemaCheck)('members out of schema order are still refused', async () => {
      const swapped = zeepSave().replace(
        /(<ns0:EMailAccountId>0<\/ns0:EMailAccountId>)(\s*)(<ns0:EMailAddress>[^<]*<\/ns0:EMailAddress>)/,
        '$3$2$1',
      )
      expect(swapped).not.toBe(zeepSave())
      const f = faultOf(await post('EMail', swapped, {}, 'SaveEMailAccount'))
      expect(f.code).toBe('s:Client')
      expect(f.text).toMatch(/^Schema validation failed:/)
      expect(f.text).toContain('EMailAccountId')
    })

    it('a Credentials header in the wrong namespace is refused, with mustUnderstand or without', async () => {
      const wrongNs = zeepSave().replace(/<ns1:Credentials xmlns:ns1="[^"]*">/, '<ns1:Credentials xmlns:ns1="http://www.superoffice.net/ws/crm/NetServer/Services86">')
      const f = faultOf(await post('EMail', wrongNs, {}, 'SaveEMailAccount'))
      expect(f.code).toBe('s:Client')
      expect(f.text).toMatch(/Credentials is not understood by EMail\.svc \(a Credentials header must be in namespace/)
      const marked = wrongNs.replace('<ns1:Credentials ', '<ns1:Credentials soap-env:mustUnderstand="1" ')
      expect(faultOf(await post('EMail', marked, {}, 'SaveEMailAccount')).code).toBe('s:MustUnderstand')
    })

    it('a header the service declares is understood, so mustUnderstand="1" on it is accepted as WCF accepts it', async () => {
      const before = sb.accounts().length
      const marked = zeepSave().replace(/<ns1:Credentials xmlns:ns1=/, '<ns1:Credentials soap-env:mustUnderstand="1" xmlns:ns1=')
      expect(marked).not.toBe(zeepSave())
      const ex = await post('EMail', marked, {}, 'SaveEMailAccount')
      expect(ex.status, ex.text).toBe(200)
      expect(succeeded(ex)).toBe(true)
      expect(sb.accounts()).toHaveLength(before + 1)
    })

    it('a header in the services namespace that the service does not declare is refused', async () => {
      const withTicket = withWsa(login(), loginAction, url('SoPrincipal')).replace(
        '</soap-env:Header>',
        `<ns1:Credentials xmlns:ns1="${NS87}"><ns1:Ticket>${sb.demoTicket}</ns1:Ticket></ns1:Credentials></soap-env:Header>`,
      )
      const f = faultOf(await post('SoPrincipal', withTicket, {}, 'AuthenticateUsernamePassword'))
      expect(f.code).toBe('s:Client')
      expect(f.text).toMatch(/not understood by SoPrincipal\.svc/)
    })

    it('headers in the Body and headers under Envelope are refused', async () => {
      const inBody = zeepSave()
        .replace(/<ns1:Credentials[\s\S]*<\/ns1:Credentials>/, '')
        .replace('<soap-env:Body>', `<soap-env:Body><ns1:Credentials xmlns:ns1="${NS87}"><ns1:Ticket>${sb.demoTicket}</ns1:Ticket></ns1:Credentials>`)
      expect(faultOf(await post('EMail', inBody, {}, 'SaveEMailAccount')).text).toMatch(/Credentials is inside soap:Body/)
      const underEnvelope = zeepSave().replace(/<soap-env:Header>([\s\S]*)<\/soap-env:Header>/, '$1')
      expect(faultOf(await post('EMail', underEnvelope, {}, 'SaveEMailAccount')).text).toMatch(/must be inside soap:Header/)
    })

    it('a wrong SOAPAction is a ContractFilter mismatch and a wrong content type a bare 415', async () => {
      const wrong = faultOf(await post('EMail', zeepSave(), {soapaction: `"${NS87}/EMail/SaveAccount"`}))
      expect(wrong.code).toBe('s:Client')
      expect(wrong.text).toContain(`The message with Action '${NS87}/EMail/SaveAccount' cannot be processed at the receiver, due to a ContractFilter mismatch`)
      const soap12 = await post('EMail', zeepSave(), {'content-type': `application/soap+xml; charset=utf-8; action="${saveAction}"`}, 'SaveEMailAccount')
      expect(soap12).toEqual({status: 415, text: ''})
    })

    it.runIf(schemaCheck)('a declared header with a bad value is still schema-checked', async () => {
      const withTimeZone = zeepSave().replace(
        '</soap-env:Header>',
        `<ns2:TimeZone xmlns:ns2="${NS87}"><ns2:SoTimeZoneId>three</ns2:SoTimeZoneId></ns2:TimeZone></soap-env:Header>`,
      )
      expect(faultOf(await post('EMail', withTimeZone, {}, 'SaveEMailAccount')).text).toMatch(/^Schema validation failed:.*SoTimeZoneId/)
    })
  })

  it('PartnerSystemUserService ignores the wsa headers too, and refuses them with mustUnderstand="1"', async () => {
    const psu = (mu?: string) =>
      `<soap-env:Envelope xmlns:soap-env="${SOAP11}"><soap-env:Header>` +
      `<ns0:ApplicationToken xmlns:ns0="${PSU_NS}">client-secret</ns0:ApplicationToken><ns0:ContextIdentifier xmlns:ns0="${PSU_NS}">Cust12345</ns0:ContextIdentifier>` +
      `${wsaHeaders(PSU_ACTION, 'https://sod.superoffice.com/login/services/PartnerSystemUserService.svc', mu)}</soap-env:Header><soap-env:Body>` +
      `<ns0:AuthenticationRequest xmlns:ns0="${PSU_NS}"><ns0:SignedSystemToken>x.202401010000.AAAA</ns0:SignedSystemToken><ns0:ReturnTokenType>Jwt</ns0:ReturnTokenType></ns0:AuthenticationRequest>` +
      '</soap-env:Body></soap-env:Envelope>'
    const send = async (body: string) => {
      const res = await fetch(`${new URL(sb.url).origin}/login/services/PartnerSystemUserService.svc`, {
        method: 'POST',
        headers: {'content-type': 'text/xml; charset=utf-8', soapaction: `"${PSU_ACTION}"`},
        body,
      })
      return {status: res.status, text: await res.text()}
    }
    const ignored = await send(psu())
    expect(ignored.status, ignored.text).toBe(200)
    expect(ignored.text).toMatch(/<IsSuccessful>false<\/IsSuccessful>/)
    expect(faultOf(await send(psu('1'))).code).toBe('s:MustUnderstand')
  })
})
