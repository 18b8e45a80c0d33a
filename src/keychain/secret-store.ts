/**
 * The credential-store contract shared by the keychain and the insecure file store. Kept apart from
 * the stores (store.ts, file-store.ts) so both can import it without an import cycle.
 */
import {CliError, ExitCode, type CliErrorOptions} from '../errors.js'

export type SecretKind = 'ticket' | 'app-token' | 'system-token'

export const SECRET_KINDS: readonly SecretKind[] = ['ticket', 'app-token', 'system-token']

export interface SecretStore {
  readonly kind: 'keychain' | 'file'
  /** Where the secrets live, for `status` and `doctor`: 'Secret Service (gnome-keyring)', or the file path. */
  readonly location: string
  get(profile: string, secret: SecretKind): Promise<string | undefined>
  /** Keychain: writes, then reads back and compares; a mismatch is a CredentialStoreError. */
  set(profile: string, secret: SecretKind, value: string): Promise<void>
  /** True when something was removed. */
  delete(profile: string, secret: SecretKind): Promise<boolean>
}

export type KeychainProbeReason = 'no-session-bus' | 'no-secret-service' | 'locked' | 'timeout' | 'error'

export type KeychainProbe = {ok: true; location: string} | {ok: false; reason: KeychainProbeReason; message: string}

const OTHER_WAYS = 'pass the ticket in SOEMAIL_TICKET in scripts, or run `soemail login --insecure-storage` to keep the secrets in a 0600 file instead.'

/** The ways forward when the keychain cannot be used (issue 3 §2). */
export const NO_KEYCHAIN_HINT =
  'Start a Secret Service (for example `gnome-keyring-daemon --start --components=secrets`, or KeePassXC with its Secret Service integration enabled), ' +
  OTHER_WAYS

/** The hint for a failed probe or call; the locked and timeout cases have a more direct first step. */
export function keychainHint(reason?: KeychainProbeReason): string {
  if (reason === 'locked') return `Unlock the keyring (log in to the desktop session, or unlock it in Seahorse or KeePassXC) and try again, or ${OTHER_WAYS}`
  if (reason === 'timeout') return `If a keyring prompt is open, answer it and try again; otherwise ${OTHER_WAYS}`
  return NO_KEYCHAIN_HINT
}

export interface CredentialStoreErrorDetails {
  store: 'keychain' | 'file'
  /** Set when the keychain probe failed. */
  reason?: KeychainProbeReason
  location?: string
}

/** The credential store cannot be used: exit 5. Messages name the profile and secret kind, never a value. */
export class CredentialStoreError extends CliError {
  declare readonly details: CredentialStoreErrorDetails

  constructor(message: string, details: CredentialStoreErrorDetails, options: Omit<CliErrorOptions, 'details'> = {}) {
    super('CREDENTIAL_STORE_UNAVAILABLE', ExitCode.CREDENTIAL_STORE, message, {hint: keychainHint(details.reason), ...options, details})
  }
}

const SECRET_LABEL: Record<SecretKind, string> = {
  ticket: 'ticket',
  'app-token': 'application token',
  'system-token': 'system user token',
}

/** 'the ticket of profile "prod"', for messages. */
export function describeSecret(profile: string, secret: SecretKind): string {
  return `the ${SECRET_LABEL[secret]} of profile "${profile}"`
}

/** Rejects names that would make keychain accounts or file keys ambiguous or unreadable. */
export function checkSecretAddress(profile: string, secret: SecretKind): void {
  if (typeof profile !== 'string' || profile.length === 0 || /[\p{Cc}]/u.test(profile)) {
    throw new TypeError('a profile name must be a non-empty string without control characters')
  }
  if (!SECRET_KINDS.includes(secret)) throw new TypeError(`unknown secret kind '${String(secret)}'`)
}
