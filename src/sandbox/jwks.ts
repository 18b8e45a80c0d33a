import {createHash, generateKeyPairSync, sign, type KeyObject} from 'node:crypto'

/** An RS256 signing key as the login service publishes it: the key pair and its JWK with `kid`. */
export interface SigningKey {
  privateKey: KeyObject
  kid: string
  jwk: {kty: 'RSA'; n: string; e: string; kid: string; use: 'sig'; alg: 'RS256'}
}

// RSA key generation takes tens to hundreds of milliseconds; test files start many sandboxes, and most
// never reach the login service, so the keys are made on first use and shared by every sandbox in the process.
let sandboxKey: SigningKey | undefined
let rogueKey: SigningKey | undefined

/** The key whose public half /login/.well-known/jwks publishes. */
export function sandboxSigningKey(): SigningKey {
  sandboxKey ??= makeSigningKey()
  return sandboxKey
}

/** A key the JWKS never lists, for tests of a forged or tampered token. */
export function rogueSigningKey(): SigningKey {
  rogueKey ??= makeSigningKey()
  return rogueKey
}

function makeSigningKey(): SigningKey {
  const {privateKey, publicKey} = generateKeyPairSync('rsa', {modulusLength: 2048})
  const {n, e} = publicKey.export({format: 'jwk'})
  if (!n || !e) throw new Error('the generated RSA key has no modulus or exponent')
  const kid = thumbprint(n, e)
  return {privateKey, kid, jwk: {kty: 'RSA', n, e, kid, use: 'sig', alg: 'RS256'}}
}

/** RFC 7638 JWK thumbprint: a kid that changes exactly when the key does. */
function thumbprint(n: string, e: string): string {
  return createHash('sha256').update(JSON.stringify({e, kty: 'RSA', n})).digest('base64url')
}

/** The JSON Web Key Set body. */
export function jwksDocument(): string {
  return JSON.stringify({keys: [sandboxSigningKey().jwk]})
}

/**
 * A compact RS256 JWT, made with node:crypto rather than the client's JWT library so the client's
 * verification is tested against a token it did not produce. `kid` may name another key than the one
 * that signs (a forgery that claims to be the published key).
 */
export function signJwt(claims: Record<string, unknown>, key: SigningKey, kid: string = key.kid): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url')
  const input = `${part({alg: 'RS256', typ: 'JWT', kid})}.${part(claims)}`
  return `${input}.${sign('sha256', Buffer.from(input, 'ascii'), key.privateKey).toString('base64url')}`
}
