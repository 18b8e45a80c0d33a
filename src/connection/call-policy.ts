import {setTimeout as sleep} from 'node:timers/promises'
import {NetServerClient, type CallOptions, type ClientConfig} from '../soap/client.js'
import type {XmlFields} from '../soap/envelope.js'
import {HttpResponseError, SoapError, TransportError} from '../soap/errors.js'
import type {SoapResponse} from '../soap/response.js'
import type {ServiceName} from '../soap/versions.js'
import type {SoapTransport} from '../soap/transport.js'
import {AuthError} from '../errors.js'
import {describeFailure, isTicketRejection} from './wire-facts.js'

/**
 * The one policy for calls to NetServer: when a failed request is sent again, how long to wait, and
 * when a rejected ticket is renewed. Single commands retry each request (PolicyClient); a bulk run
 * sends each request once and retries per row (classifyFailure, retryDelay, shareOne in the runner).
 * Either way a create is never repeated once it may have reached the server.
 */

export interface RetryPolicy {
  /** Extra attempts of a request that is safe to repeat. */
  retries: number
  /** Milliseconds before the first retry; doubled each time, with jitter. */
  backoffMs: number
  sleep?: (ms: number) => Promise<void>
  random?: () => number
}

/** What a single command does: two more tries, from a quarter of a second. */
export const COMMAND_RETRIES: RetryPolicy = {retries: 2, backoffMs: 250}
/** A bulk run: the runner retries each row itself, with its own count (--retries). */
export const NO_RETRIES: RetryPolicy = {retries: 0, backoffMs: 0}

/** The pause before retry `n` (1 for the first): the base doubled each time, spread over half to one and a half of it. */
export function retryDelay(backoffMs: number, n: number, random: () => number = Math.random): number {
  const base = backoffMs * 2 ** (n - 1)
  return base / 2 + random() * base
}

const GATEWAY_STATUS = new Set([502, 503, 504])

/** A single command's request may be sent again: it never reached the server, or repeating it is harmless. */
export function mayRetryRequest(error: unknown, idempotent: boolean): boolean {
  if (error instanceof TransportError) {
    if (error.code === 'ETOOLARGE' || /CERT|TLS/.test(error.code)) return false
    return !error.maybeDelivered || idempotent
  }
  // Gateways answer 502/503/504 with an HTML page, so 'html' is as retryable as 'server-error' there.
  return idempotent && error instanceof HttpResponseError && (error.problem === 'server-error' || error.problem === 'html') && GATEWAY_STATUS.has(error.status)
}

/** Sends, and sends again after a pause while mayRetryRequest allows and retries are left. */
export async function sendWithRetries<T>(send: () => Promise<T>, idempotent: boolean, policy: RetryPolicy): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send()
    } catch (error) {
      if (attempt > policy.retries || !mayRetryRequest(error, idempotent)) {
        if (error instanceof SoapError) error.attempts = attempt
        throw error
      }
      await (policy.sleep ?? sleep)(retryDelay(policy.backoffMs, attempt, policy.random))
    }
  }
}

/** A NetServer client whose every request goes through the retry policy it was made with. */
export class PolicyClient extends NetServerClient {
  constructor(config: ClientConfig, transport: SoapTransport, private readonly policy: RetryPolicy) {
    super(config, transport)
  }

  override call(service: ServiceName, operation: string, body: XmlFields, options: CallOptions): Promise<SoapResponse> {
    return sendWithRetries(() => super.call(service, operation, body, options), options.idempotent, this.policy)
  }
}

/** Calls `fn` once and hands every caller that same attempt: rows that hit one rejection share one login. */
export function shareOne(fn: () => Promise<boolean>): () => Promise<boolean> {
  let shared: Promise<boolean> | undefined
  return () => (shared ??= fn().catch(() => false))
}

/** Lets `fn` run once; later callers get false without running it (one re-login per command). */
export function onlyOnce(fn: () => Promise<boolean>): () => Promise<boolean> {
  let used = false
  return () => {
    if (used) return Promise.resolve(false)
    used = true
    return fn()
  }
}

/**
 * Runs a unit of work; a rejected ticket is renewed (once per command, `renew` decides) and the work
 * is done again, once. Whatever fails goes through `mapError`, the caller's translation for the user.
 */
export async function callWithRelogin<T>(fn: () => Promise<T>, renew: () => Promise<boolean>, mapError: (error: unknown) => unknown): Promise<T> {
  try {
    return await fn()
  } catch (error) {
    if (!isTicketRejection(error) || !(await renew())) throw mapError(error)
    try {
      return await fn()
    } catch (retryError) {
      throw mapError(retryError)
    }
  }
}

/**
 * What to do after a failed request for one row of a bulk run:
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
  // Results files are read in spreadsheets: one line, bounded.
  const message = describeFailure(error).replace(/\s+/g, ' ').slice(0, 500)
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
  // A NetServer refusal that means the ticket, or an AuthError as it was thrown.
  if (isTicketRejection(error) || error instanceof AuthError) return {kind: 'auth', message, congestion: false}
  return {kind: 'failed', message, congestion: false}
}

/**
 * A read of a bulk run outside a row (the index of existing accounts, the ticket check): sent again
 * after a pause while classifyFailure says a repeat may succeed, as a row's update would be. Reads
 * change nothing, so a 500 that may have reached the server is as safe to repeat as a reset.
 */
export async function readWithRetries<T>(send: () => Promise<T>, policy: RetryPolicy): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send()
    } catch (error) {
      if (attempt > policy.retries || classifyFailure(error, false).kind !== 'retry') {
        if (error instanceof SoapError) error.attempts = attempt
        throw error
      }
      await (policy.sleep ?? sleep)(retryDelay(policy.backoffMs, attempt, policy.random))
    }
  }
}
