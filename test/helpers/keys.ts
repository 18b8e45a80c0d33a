/**
 * Key pairs for the system-user tests, made fresh per test process (nothing secret is checked in).
 * Generation costs tens of milliseconds per RSA key, so each named key is made once.
 */
import {generateKeyPairSync} from 'node:crypto'

export interface TestKeyPair {
  privatePem: string
  publicPem: string
}

const rsaPairs = new Map<string, TestKeyPair>()

/**
 * An RSA key pair, the private half in the encoding SuperOffice's samples use (`pkcs1`, "BEGIN RSA
 * PRIVATE KEY") or OpenSSL 3's default (`pkcs8`, "BEGIN PRIVATE KEY").
 */
export function rsaKeyPair(name: string, encoding: 'pkcs1' | 'pkcs8' = 'pkcs8'): TestKeyPair {
  const cacheKey = `${name}/${encoding}`
  let pair = rsaPairs.get(cacheKey)
  if (!pair) {
    const {privateKey, publicKey} = generateKeyPairSync('rsa', {modulusLength: 2048})
    pair = {privatePem: privateKey.export({type: encoding, format: 'pem'}).toString(), publicPem: publicKey.export({type: 'spki', format: 'pem'}).toString()}
    rsaPairs.set(cacheKey, pair)
  }
  return pair
}

/** A P-256 private key: valid PEM, wrong algorithm for SuperOffice. */
export function ecPrivateKeyPem(): string {
  return generateKeyPairSync('ec', {namedCurve: 'P-256'}).privateKey.export({type: 'pkcs8', format: 'pem'}).toString()
}

/** An RSA private key under a passphrase (short: only its refusal is tested). */
export function encryptedRsaPrivateKeyPem(): string {
  const {privateKey} = generateKeyPairSync('rsa', {modulusLength: 1024})
  return privateKey.export({type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'correct horse'}).toString()
}
