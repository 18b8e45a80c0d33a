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

/**
 * A keychain for a shell on a server without a desktop, as scripts/with-keychain.sh makes one for the
 * tests: a D-Bus session bus (dbus-run-session, from the dbus package) and gnome-keyring unlocked with a
 * password read from the terminal (it creates the login keyring the first time, in
 * ~/.local/share/keyrings). Everything run in the shell it opens can use the keychain; the same command
 * with the same password opens the same keyring - and the tickets in it - at the next login.
 * test/keychain/headless-recipe.test.ts runs these commands as printed.
 */
export const HEADLESS_KEYCHAIN = `dbus-run-session -- bash -c 'read -rsp "Keyring password: " pw; echo >&2; printf %s "$pw" | gnome-keyring-daemon --unlock --components=secrets >/dev/null; unset pw; exec bash'`

/** When a session bus is there but nothing answers for the Secret Service on it. */
export const START_KEYRING = `read -rsp "Keyring password: " pw; echo; printf %s "$pw" | gnome-keyring-daemon --unlock --components=secrets >/dev/null; unset pw`

const HEADLESS = `On a server without a desktop, open a shell with a keychain: ${HEADLESS_KEYCHAIN} (Debian: apt-get install dbus gnome-keyring) and run soemail in it; with a desktop, KeePassXC's Secret Service integration also works. Or `

/** The ways forward when the keychain cannot be used (issue 3 §2). */
export const NO_KEYCHAIN_HINT = HEADLESS + OTHER_WAYS

/** The hint for a failed probe or call; the locked and timeout cases have a more direct first step. */
export function keychainHint(reason?: KeychainProbeReason): string {
  if (reason === 'locked') return `Unlock the keyring (log in to the desktop session, or unlock it in Seahorse or KeePassXC) and try again, or ${OTHER_WAYS}`
  if (reason === 'timeout') return `If a keyring prompt is open, answer it and try again; otherwise ${OTHER_WAYS}`
  if (reason === 'no-secret-service') return `Start gnome-keyring on this session bus: ${START_KEYRING} (Debian: apt-get install gnome-keyring), or run KeePassXC with its Secret Service integration. ${HEADLESS}${OTHER_WAYS}`
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
