import {buildSoap11Envelope} from './envelope.js'
import {HttpResponseError, SoapError} from './errors.js'
import {parseSoapResponse} from './response.js'
import type {HttpExchange, SoapTransport} from './transport.js'
import {isNil, type XElement} from './xml-tree.js'

/** SuperOffice Online's login service (schemas/wsdl/PartnerSystemUserService.wsdl): its own namespace, no NetServer headers. */
export const PARTNER_SYSTEM_USER_NS = 'http://www.superoffice.com/superid/partnersystemuser/0.1'
export const PARTNER_SYSTEM_USER_ACTION = `${PARTNER_SYSTEM_USER_NS}/IPartnerSystemUserService/Authenticate`

export interface SystemUserExchange {
  /** The full .svc URL, e.g. https://online.superoffice.com/login/services/PartnerSystemUserService.svc. */
  serviceUrl: string
  /** The app's client secret (FACTS.md §5.4). */
  applicationToken: string
  /** The tenant, e.g. Cust12345. */
  contextIdentifier: string
  /** `<system token>.<yyyyMMddHHmm>.<base64 signature>`, see signSystemToken. */
  signedSystemToken: string
  returnTokenType?: 'Jwt'
}

/** The service answered IsSuccessful=false: it ran and refused the signed token, app token or tenant. */
export class SystemUserAuthError extends SoapError {
  override name = 'SystemUserAuthError'
  constructor(readonly errorMessage: string | undefined, readonly url: string) {
    super(`SuperOffice refused the system-user login${errorMessage ? `: ${errorMessage}` : ' (IsSuccessful=false, no ErrorMessage)'}`)
  }
}

/** Exchanges a signed system-user token for a JWT (FACTS.md §5.3 step 3); the JWT is returned unverified. */
export async function exchangeSystemUserToken(transport: SoapTransport, args: SystemUserExchange): Promise<string> {
  const envelope = buildSoap11Envelope({
    ns: PARTNER_SYSTEM_USER_NS,
    // Order and placement from the binding's soap:header parts; WCF reads them from soap:Header only.
    header: [
      ['ApplicationToken', args.applicationToken],
      ['ContextIdentifier', args.contextIdentifier],
    ],
    bodyElement: 'AuthenticationRequest',
    body: [
      ['SignedSystemToken', args.signedSystemToken],
      ['ReturnTokenType', args.returnTokenType ?? 'Jwt'],
    ],
  })
  const exchange = await transport.post(args.serviceUrl, PARTNER_SYSTEM_USER_ACTION, envelope)
  const body = interpret(exchange, args.serviceUrl)
  const field = (name: string): XElement | undefined => body.children.find((c) => c.local === name && c.ns === PARTNER_SYSTEM_USER_NS && !isNil(c))
  const successful = field('IsSuccessful')?.text.trim()
  const token = field('Token')?.text.trim()
  if (successful !== 'true' && successful !== '1') {
    throw new SystemUserAuthError(field('ErrorMessage')?.text.trim() || undefined, args.serviceUrl)
  }
  if (!token) {
    throw new HttpResponseError('not-soap', args.serviceUrl, exchange.status, `${args.serviceUrl} answered IsSuccessful=true without a Token.`)
  }
  return token
}

/**
 * The HTTP-status policy of NetServerClient (a WCF fault comes as 500 or 400 with a SOAP body), kept
 * here because that one is private to the client and tied to NetServer's wording.
 */
function interpret(ex: HttpExchange, url: string): XElement {
  const {status, body} = ex
  const looksHtml = /^\s*<(!doctype\s+)?html/i.test(body) || (/text\/html/i.test(ex.contentType) && body.trim() !== '')
  const looksXml = /^\s*</.test(body) && !looksHtml
  if ((status >= 200 && status < 300) || ((status === 500 || status === 400) && looksXml) || (status >= 500 && looksHtml)) {
    const ctx = {operation: 'Authenticate', ns: PARTNER_SYSTEM_USER_NS, url, status, contentType: ex.contentType, responseElement: 'AuthenticationResponse', netServerHeaders: false}
    return parseSoapResponse(body, ctx).body
  }
  if (status >= 300 && status < 400) {
    return fail('redirect', `${url} redirected (HTTP ${status}) to ${ex.location ?? 'another page'}; the login service URL is wrong.`)
  }
  if (status === 401 || status === 403) return fail('unauthorized', `${url} refused the request (HTTP ${status}).`)
  if (status === 404) {
    return fail('not-found', `${url} does not exist (HTTP 404). The login service is https://<env>.superoffice.com/login/services/PartnerSystemUserService.svc.`)
  }
  if (status === 415) return fail('unsupported-media-type', `${url} refused the message format (HTTP 415): it is not a SOAP 1.1 PartnerSystemUserService.`)
  if (status >= 500) return fail('server-error', `${url} failed with HTTP ${status}; try again later.`)
  return fail('http-status', `${url} answered HTTP ${status}, which is not a SOAP answer.`)

  function fail(problem: ConstructorParameters<typeof HttpResponseError>[0], message: string): never {
    throw new HttpResponseError(problem, url, status, message, body.slice(0, 500))
  }
}
