import {readSoap11Answer} from './binding.js'
import {buildSoap11Envelope} from './envelope.js'
import {HttpResponseError, SoapError} from './errors.js'
import type {SoapTransport} from './transport.js'
import {isNil, type XElement} from './xml-tree.js'

/** SuperOffice Online's login service (schemas/wsdl/PartnerSystemUserService.wsdl): its own namespace, no NetServer headers. */
export const PARTNER_SYSTEM_USER_NS = 'http://www.superoffice.com/superid/partnersystemuser/0.1'
/** The service's name in errors (HttpResponseError.service). */
export const PARTNER_SYSTEM_USER_SERVICE = 'PartnerSystemUserService'
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
  const {body} = readSoap11Answer(exchange, {operation: 'Authenticate', url: args.serviceUrl, service: PARTNER_SYSTEM_USER_SERVICE, ns: PARTNER_SYSTEM_USER_NS, responseElement: 'AuthenticationResponse', netServerHeaders: false})
  const field = (name: string): XElement | undefined => body.children.find((c) => c.local === name && c.ns === PARTNER_SYSTEM_USER_NS && !isNil(c))
  const successful = field('IsSuccessful')?.text.trim()
  const token = field('Token')?.text.trim()
  if (successful !== 'true' && successful !== '1') {
    throw new SystemUserAuthError(field('ErrorMessage')?.text.trim() || undefined, args.serviceUrl)
  }
  if (!token) {
    throw new HttpResponseError('not-soap', args.serviceUrl, exchange.status, `${args.serviceUrl} answered IsSuccessful=true without a Token.`, undefined, {service: PARTNER_SYSTEM_USER_SERVICE, reason: 'no-token'})
  }
  return token
}
