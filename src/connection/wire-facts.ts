import {EndpointPolicyError, EnvelopeValueError, HttpResponseError, NetServerError, oneLine, SoapFaultError, TransportError} from '../soap/errors.js'
import {AuthError, CliError} from '../errors.js'

/**
 * What a failed call means, in facts only: whether the ticket was refused, whether the thing asked for
 * does not exist, and one line that says what happened. The retry policy, the bulk runner and results
 * files use these; what the user should change (flags, files) is the CLI layer's (src/hints/error-map.ts).
 */

// FACTS.md §6: no documented ExceptionType for an expired ticket, so match the hints it lists.
const SESSION_HINT = /SoSession|Credential|Ticket|Authentica|Security/i
const NOT_FOUND_HINT = /NotFound/i

/** The server refused the ticket: a new one may help, nothing else will. */
export function isTicketRejection(error: unknown): boolean {
  if (error instanceof AuthError) return error.code === 'TICKET_REJECTED'
  if (error instanceof HttpResponseError) return error.problem === 'unauthorized'
  if (!(error instanceof NetServerError)) return false
  const types = error.exceptionTypes
  return types.some((t) => SESSION_HINT.test(t)) || (types.length === 0 && SESSION_HINT.test(error.message))
}

export function isNotFound(error: unknown): boolean {
  return error instanceof NetServerError && !isTicketRejection(error) && error.exceptionTypes.some((t) => NOT_FOUND_HINT.test(t))
}

/** One line, no advice: what failed and what the server said. */
export function describeFailure(error: unknown): string {
  if (error instanceof NetServerError) {
    const types = error.exceptionTypes
    const typeText = types.length > 0 ? ` (${types.join(' <- ')})` : ''
    if (isTicketRejection(error)) return `SuperOffice rejected the ticket${typeText}: ${error.message}`
    if (isNotFound(error)) return `${error.message}${typeText}`
    return `SuperOffice refused ${error.operation}${typeText}: ${error.message}`
  }
  if (error instanceof SoapFaultError) return `${error.url} could not process the request (SOAP fault ${oneLine(error.faultCode)}): ${oneLine(error.faultString)}`
  if (error instanceof TransportError && error.code !== 'ETOOLARGE') return `could not reach NetServer: ${error.message}`
  if (error instanceof HttpResponseError || error instanceof TransportError || error instanceof EndpointPolicyError || error instanceof EnvelopeValueError || error instanceof CliError) return error.message
  return error instanceof Error ? error.message : String(error)
}
