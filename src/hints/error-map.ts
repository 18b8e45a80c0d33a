import {EndpointPolicyError, EnvelopeValueError, HttpResponseError, NetServerError, SoapFaultError, TransportError} from '../soap/errors.js'
import {redactXml} from '../soap/redact.js'
import {describeFailure, isNotFound, isTicketRejection} from '../connection/wire-facts.js'
import {AuthError, CliError, NetworkError, NotFoundError, ServerError, UsageError, ValidationError} from '../errors.js'

/*
 * The CLI layer's half of error handling: wire facts (src/connection/wire-facts.ts) become the typed
 * error the user sees, with the next step in the user's terms: flags, files, commands.
 */

export interface ErrorContext {
  /** How the user gets a new ticket, e.g. "soemail login --profile prod". */
  reloginHint: string
}

/** Turns a wire-layer failure into the error the user sees, with a next step. */
export function toCliError(error: unknown, ctx: ErrorContext): unknown {
  if (error instanceof CliError) return error
  if (error instanceof NetServerError) {
    const details = {operation: error.operation, url: error.url, exception: error.info}
    const message = describeFailure(error)
    if (isTicketRejection(error)) return new AuthError('TICKET_REJECTED', message, {hint: `The session has expired or the ticket is wrong. ${ctx.reloginHint}`, details})
    if (isNotFound(error)) return new NotFoundError(message, {hint: 'Check the id; soemail account get ID shows an account.', details})
    return new ServerError('SERVER_ERROR', message, {hint: 'Run again with --verbose for the server\'s full answer.', details})
  }
  if (error instanceof SoapFaultError) {
    return new ServerError('SOAP_FAULT', describeFailure(error), {
      hint: 'This is usually a wrong --api-version or an endpoint that is not NetServer. Run with --trace to see the exchange.',
      details: {url: error.url, status: error.status, faultCode: error.faultCode, detail: error.detail},
    })
  }
  if (error instanceof HttpResponseError) {
    if (error.problem === 'unauthorized') {
      return new AuthError('TICKET_REJECTED', error.message, {hint: ctx.reloginHint, details: {url: error.url, status: error.status}})
    }
    const details = {url: error.url, status: error.status, problem: error.problem, attempts: error.attempts, body: error.bodySnippet && redactXml(error.bodySnippet)}
    if (error.status >= 500) {
      // A 5xx is the server's trouble (or a gateway's in front of it), whatever page came with it: nothing the user set is wrong.
      const tried = error.attempts > 1 ? ` soemail sent the request ${error.attempts} times.` : ''
      return new ServerError('SERVER_ERROR', `${error.message}${tried}`, {hint: SERVER_TROUBLE, details})
    }
    return new ServerError('BAD_RESPONSE', withAdvice(error), {hint: hintFor(error), details})
  }
  if (error instanceof TransportError && error.code === 'ETOOLARGE') {
    // The server did answer, so "could not reach NetServer" would mislead.
    return new ServerError('BAD_RESPONSE', error.message, {hint: 'Check --url: NetServer answers an account call with a few kilobytes.', details: {url: error.url, code: error.code}})
  }
  if (error instanceof TransportError) {
    return new NetworkError(describeFailure(error), {
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

const SERVER_TROUBLE = "This is on the server's side, not in your settings: try again in a few minutes. If it goes on, the CRM server's administrator can look at NetServer's and IIS's logs."


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
