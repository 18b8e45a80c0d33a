import {probeKeychain} from '../../src/keychain/probe.js'

/**
 * Whether a real Secret Service is reachable. Without one the keychain tests skip with a stated
 * reason, unless SOEMAIL_REQUIRE_KEYCHAIN=1 (CI), where a missing keychain fails the run instead.
 */
export async function keychainReachable(): Promise<boolean> {
  const probe = await probeKeychain({env: process.env})
  if (probe.ok) return true
  if (process.env.SOEMAIL_REQUIRE_KEYCHAIN === '1') throw new Error(`SOEMAIL_REQUIRE_KEYCHAIN=1 but no usable Secret Service: ${probe.message}`)
  console.warn(`skipping keychain tests: ${probe.message} (run them with: bash scripts/with-keychain.sh npx vitest run)`)
  return false
}
