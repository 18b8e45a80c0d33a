import {HttpResponseError, TransportError} from '../soap/errors.js'
import {AuthError} from '../errors.js'
import {toCliError} from '../connection/error-map.js'

/**
 * What to do after a failed request for one row:
 * - retry: nothing happened on the server (or repeating is harmless), try again after a pause;
 * - unknown: a create may have been carried out and its answer was lost; never repeat it blindly;
 * - failed: the server refused this row; other rows go on;
 * - auth: the ticket was rejected; the run stops (or logs in again once);
 * - fatal: every row would fail the same way (wrong URL, not NetServer); the run stops.
 */
export type FailureKind = 'retry' | 'unknown' | 'failed' | 'auth' | 'fatal'

export interface Failure {
  kind: FailureKind
  message: string
  /** The server asked us to slow down, or is struggling: the adaptive limiter backs off. */
  congestion: boolean
}

// A 503 or 429 answer means the request was not processed, so even a create may be sent again.
const NOT_PROCESSED = new Set([429, 503])

export function classifyFailure(error: unknown, isCreate: boolean): Failure {
  const mapped = toCliError(error, {reloginHint: ''})
  // Results files are read in spreadsheets: one line, bounded.
  const message = (mapped instanceof Error ? mapped.message : String(mapped)).replace(/\s+/g, ' ').slice(0, 500)
  if (error instanceof TransportError) {
    const congestion = error.code === 'ETIMEDOUT'
    if (!error.maybeDelivered) return {kind: 'retry', message, congestion}
    return {kind: isCreate ? 'unknown' : 'retry', message, congestion}
  }
  if (error instanceof HttpResponseError) {
    if (error.problem === 'unauthorized') return {kind: 'auth', message, congestion: false}
    if (NOT_PROCESSED.has(error.status)) return {kind: 'retry', message, congestion: true}
    if (error.problem === 'not-found' || error.problem === 'redirect' || error.problem === 'unsupported-media-type') return {kind: 'fatal', message, congestion: false}
    const congestion = error.status >= 500
    return {kind: isCreate ? 'unknown' : 'retry', message, congestion}
  }
  // A NetServer refusal that means the ticket (toCliError tells), or an AuthError as it was thrown.
  if (mapped instanceof AuthError) return {kind: 'auth', message, congestion: false}
  return {kind: 'failed', message, congestion: false}
}
