/**
 * Where tickets and tokens are kept: the OS keychain (the default) or, only when the user chose
 * `--insecure-storage`, a 0600 file. This module is the public face; the parts live beside it.
 */
export {
  CredentialStoreError,
  NO_KEYCHAIN_HINT,
  SECRET_KINDS,
  keychainHint,
  type CredentialStoreErrorDetails,
  type KeychainProbe,
  type KeychainProbeReason,
  type SecretKind,
  type SecretStore,
} from './secret-store-base.js'
export {openFileStore} from './secret-store-file.js'
export {
  DEFAULT_KEYCHAIN_TIMEOUT_MS,
  KEYCHAIN_SERVICE,
  keychainAccount,
  openKeychain,
  pendingKeychainCalls,
  probeKeychain,
  type KeychainOptions,
} from './keychain.js'
