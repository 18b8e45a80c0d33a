import {EndpointPolicyError, EnvelopeValueError, HttpResponseError, NetServerError, oneLine, SoapFaultError, TransportError} from '../soap/errors.js'
import {redactXml} from '../soap/redact.js'
import {AuthError, CliError, NetworkError, ServerError, UsageError, ValidationError} from '../errors.js'

// FACTS.md §6: no documented ExceptionType for an expired ticket, so match the hints it lists.
const SESSION_HINT = /SoSession|Credential|Ticket|Authentica|Security/i
const NOT_FOUND_HINT = /NotFound/i

export interface ErrorContext {
  /** How the user gets a new ticket, e.g. "soemail login --profile prod". */
  reloginHint: string
}

/** Turns a wire-layer failure into the error the user sees, with a next step. */
export function toCliError(error: unknown, ctx: ErrorContext): unknown {
  if (error instanceof CliError) return error
  if (error instanceof NetServerError) {
    const types = error.exceptionTypes
    const typeText = types.length > 0 ? ` (${types.join(' <- ')})` : ''
    const details = {operation: error.operation, url: error.url, exception: error.info}
    if (types.some((t) => SESSION_HINT.test(t)) || (types.length === 0 && SESSION_HINT.test(error.message))) {
      return new AuthError('TICKET_REJECTED', `SuperOffice rejected the ticket${typeText}: ${error.message}`, {hint: `The session has expired or the ticket is wrong. ${ctx.reloginHint}`, details})
    }
    if (types.some((t) => NOT_FOUND_HINT.test(t))) {
      return new ServerError('NOT_FOUND', `${error.message}${typeText}`, {hint: 'Check the id; soemail account get ID shows an account.', details})
    }
    return new ServerError('SERVER_ERROR', `SuperOffice refused ${error.operation}${typeText}: ${error.message}`, {hint: 'Run again with --verbose for the server\'s full answer.', details})
  }
  if (error instanceof SoapFaultError) {
    return new ServerError('SOAP_FAULT', `${error.url} could not process the request (SOAP fault ${oneLine(error.faultCode)}): ${oneLine(error.faultString)}`, {
      hint: 'This is usually a wrong --api-version or an endpoint that is not NetServer. Run with --trace to see the exchange.',
      details: {url: error.url, status: error.status, faultCode: error.faultCode, detail: error.detail},
    })
  }
  if (error instanceof HttpResponseError) {
    if (error.problem === 'unauthorized') {
      return new AuthError('TICKET_REJECTED', error.message, {hint: ctx.reloginHint, details: {url: error.url, status: error.status}})
    }
    return new ServerError('BAD_RESPONSE', withAdvice(error), {hint: hintFor(error), details: {url: error.url, status: error.status, problem: error.problem, body: error.bodySnippet && redactXml(error.bodySnippet)}})
  }
  if (error instanceof TransportError && error.code === 'ETOOLARGE') {
    // The server did answer, so "could not reach NetServer" would mislead.
    return new ServerError('BAD_RESPONSE', error.message, {hint: 'Check --url: NetServer answers an account call with a few kilobytes.', details: {url: error.url, code: error.code}})
  }
  if (error instanceof TransportError) {
    return new NetworkError(`could not reach NetServer: ${error.message}`, {
      hint: /CERT|TLS|SELF_SIGNED|UNABLE/.test(error.code) ? 'If the server uses a private CA, pass it with --ca-file FILE.' : 'Check --url, the network and any proxy (HTTPS_PROXY), then try again.',
      details: {url: error.url, code: error.code, maybeDelivered: error.maybeDelivered},
      maybeDelivered: error.maybeDelivered,
    })
  }
  if (error instanceof EndpointPolicyError) {
    const hint = error.reason === 'insecure-http' ? 'Use https://, or pass --allow-http if you accept sending secrets unencrypted.' : undefined
    return new UsageError(error.message, {hint})
  }
  if (error instanceof EnvelopeValueError) {
    return new ValidationError(error.message, [{field: error.field, message: error.message}], {hint: 'Remove the control character from the value; nothing was sent.'})
  }
  return error
}

const LOGIN_SERVICE = 'PartnerSystemUserService'

/**
 * The wire error's facts, followed by what to change, decided from those facts: which service answered
 * (NetServer's, reached through --url and --api-version, or the Online login service) and what came back.
 */
function withAdvice(error: HttpResponseError): string {
  const advice = adviceFor(error)
  return advice ? `${error.message} ${advice}` : error.message
}

function adviceFor(error: HttpResponseError): string | undefined {
  const login = error.service === LOGIN_SERVICE
  switch (error.problem) {
    case 'redirect':
      return login ? 'The login service URL is wrong.' : 'A redirect usually means a login page or the wrong base URL. Use the URL NetServer answers on.'
    case 'not-found':
      return login
        ? 'The login service is https://<env>.superoffice.com/login/services/PartnerSystemUserService.svc.'
        : "Check --url: give the installation's base URL (e.g. https://crm.example.com/SuperOffice); soemail appends /Remote/ServicesNN/<Service>.svc. Check --api-version too."
    case 'server-error':
      return 'Try again later.'
    case 'not-soap':
      if (login) return undefined
      if (error.reason === 'no-answer-element') return 'Check --api-version and the URL.'
      if (error.reason === 'answer-namespace' || error.reason === 'header-namespace') return 'Check --api-version.'
      if (error.reason === 'no-succeeded') return 'Check --url (a proxy or another service may be answering).'
      return undefined
    default:
      return undefined
  }
}

function hintFor(error: HttpResponseError): string {
  switch (error.problem) {
    case 'not-found':
    case 'html':
    case 'redirect':
      return 'Check --url: it is the installation base URL, e.g. https://crm.example.com/SuperOffice or https://online.superoffice.com/Cust12345.'
    case 'server-error':
      return 'The server is having trouble; try again later.'
    default:
      return 'Check --url and --api-version; run with --trace to see the exchange.'
  }
}
