/**
 * Errors of the wire layer. They carry facts (URL, status, server text), not advice on flags: the
 * layers above know the user's terms and turn these into messages with a next step.
 */

/**
 * Server-supplied text for a one-line message: runs of whitespace and control characters (which could
 * also move the cursor or recolour a terminal) become one space.
 */
export function oneLine(text: string): string {
  return text.replace(/[\s\p{Cc}]+/gu, ' ').trim()
}

export class SoapError extends Error {
  override name = 'SoapError'
  /** How many times the request was sent before it failed like this (the call policy counts its retries here). */
  attempts = 1
}

/** A value cannot be put on the wire (for example a control character XML 1.0 cannot carry). */
export class EnvelopeValueError extends SoapError {
  override name = 'EnvelopeValueError'
  constructor(readonly field: string, message: string) {
    super(message)
  }
}

export interface ExceptionInfo {
  message?: string
  friendlyText?: string
  exceptionType?: string
  source?: string
  parameters?: Record<string, string>
  inner?: ExceptionInfo
}

/** Succeeded=false or a non-nil ExceptionInfo header: NetServer ran the call and refused it. */
export class NetServerError extends SoapError {
  override name = 'NetServerError'
  constructor(readonly operation: string, readonly info: ExceptionInfo, readonly url: string) {
    super(oneLine(info.friendlyText || info.message || '') || `${operation} did not succeed (Succeeded=false, no ExceptionInfo)`)
  }

  /** The ExceptionType of this error and every inner exception, outermost first. */
  get exceptionTypes(): string[] {
    const types: string[] = []
    for (let e: ExceptionInfo | undefined = this.info; e; e = e.inner) if (e.exceptionType) types.push(e.exceptionType)
    return types
  }
}

/** A SOAP 1.1 Fault: the server could not process the request at the protocol level. */
export class SoapFaultError extends SoapError {
  override name = 'SoapFaultError'
  constructor(readonly faultCode: string, readonly faultString: string, readonly url: string, readonly status: number, readonly detail?: string) {
    super(`SOAP fault ${oneLine(faultCode)}: ${oneLine(faultString)}`)
  }
}

export type HttpProblem = 'not-found' | 'unsupported-media-type' | 'unauthorized' | 'server-error' | 'html' | 'empty' | 'not-xml' | 'not-soap' | 'redirect' | 'too-large' | 'http-status'

/** What made a well-formed answer not the SOAP answer asked for ('not-soap'). */
export type NotSoapReason = 'not-envelope' | 'no-body' | 'no-answer-element' | 'answer-namespace' | 'header-namespace' | 'no-succeeded' | 'no-token'

export interface HttpResponseFacts {
  /** The service called: a NetServer service name (EMail, SoPrincipal) or PartnerSystemUserService. */
  service?: string
  reason?: NotSoapReason
  /** A redirect's Location header. */
  location?: string
}

/** The server answered, but not with a usable SOAP message. */
export class HttpResponseError extends SoapError {
  override name = 'HttpResponseError'
  readonly service?: string
  readonly reason?: NotSoapReason
  readonly location?: string
  constructor(readonly problem: HttpProblem, readonly url: string, readonly status: number, message: string, readonly bodySnippet?: string, facts: HttpResponseFacts = {}) {
    super(message)
    this.service = facts.service
    this.reason = facts.reason
    this.location = facts.location
  }
}

/**
 * No answer: refused, reset, DNS, TLS, timeout. `maybeDelivered` is true when the request may have
 * reached the server (it matters for creates, which must not be repeated blindly).
 */
export class TransportError extends SoapError {
  override name = 'TransportError'
  constructor(readonly code: string, readonly url: string, message: string, readonly maybeDelivered: boolean) {
    super(message)
  }
}

/** Node's and OpenSSL's codes for a certificate that was not accepted. */
export function isTlsFailureCode(code: string): boolean {
  return /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|HOSTNAME|ALTNAME/i.test(code)
}

/** The URL or TLS settings are refused before anything is sent. */
export class EndpointPolicyError extends SoapError {
  override name = 'EndpointPolicyError'
  constructor(readonly reason: 'insecure-http' | 'bad-url' | 'ca-file', message: string) {
    super(message)
  }
}
