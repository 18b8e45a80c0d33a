/**
 * Errors the user sees. Each carries an exit code (DESIGN.md), a stable code for --json, and the next
 * step. Services throw these; the base command renders them; nothing else calls process.exit.
 */
export const ExitCode = {
  OK: 0,
  UNEXPECTED: 1,
  USAGE: 2,
  VALIDATION: 3,
  AUTH: 4,
  CREDENTIAL_STORE: 5,
  PARTIAL: 6,
  SERVER: 7,
  NOT_FOUND: 8,
  INTERRUPTED: 130,
} as const

export interface CliErrorOptions {
  /** What to do next, in the user's terms. */
  hint?: string
  /** Machine-readable detail for --json and --verbose. Never secrets. */
  details?: unknown
  cause?: unknown
}

export class CliError extends Error {
  readonly hint?: string
  readonly details?: unknown

  constructor(readonly code: string, readonly exitCode: number, message: string, options: CliErrorOptions = {}) {
    super(message, {cause: options.cause})
    this.hint = options.hint
    this.details = options.details
  }
}

export class UsageError extends CliError {
  constructor(message: string, options?: CliErrorOptions) {
    super('USAGE', ExitCode.USAGE, message, options)
  }
}

export interface FieldProblem {
  field: string
  message: string
}

export class ValidationError extends CliError {
  constructor(message: string, readonly problems: FieldProblem[], options?: CliErrorOptions) {
    super('VALIDATION_FAILED', ExitCode.VALIDATION, message, {details: problems, ...options})
  }
}

export class AuthError extends CliError {
  constructor(code: 'AUTH_REQUIRED' | 'TICKET_REJECTED' | 'LOGIN_FAILED', message: string, options?: CliErrorOptions) {
    super(code, ExitCode.AUTH, message, options)
  }
}

export class ServerError extends CliError {
  constructor(code: 'SERVER_ERROR' | 'SOAP_FAULT' | 'BAD_RESPONSE', message: string, options?: CliErrorOptions) {
    super(code, ExitCode.SERVER, message, options)
  }
}

/** An id the user gave does not exist on the server: its own exit code, so scripts can tell it from an outage. */
export class NotFoundError extends CliError {
  constructor(message: string, options?: CliErrorOptions) {
    super('NOT_FOUND', ExitCode.NOT_FOUND, message, options)
  }
}

export class NetworkError extends CliError {
  constructor(message: string, options?: CliErrorOptions & {maybeDelivered?: boolean}) {
    super('NETWORK_ERROR', ExitCode.SERVER, message, options)
  }
}

export class InterruptedError extends CliError {
  constructor(message = 'interrupted', options?: CliErrorOptions) {
    super('INTERRUPTED', ExitCode.INTERRUPTED, message, options)
  }
}

export class CancelledError extends CliError {
  constructor(message = 'cancelled; nothing was sent') {
    super('CANCELLED', ExitCode.UNEXPECTED, message)
  }
}
