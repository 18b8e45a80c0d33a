import {createPrivateKey, sign, type KeyObject} from 'node:crypto'
import {createLocalJWKSet, errors as joseErrors, jwtVerify, type JSONWebKeySet, type JWTPayload} from 'jose'
import {CliError, ExitCode, UsageError} from '../errors.js'
import {checkBaseUrl} from '../soap/endpoint.js'
import {EndpointPolicyError, TransportError} from '../soap/errors.js'
import {httpGet, type GetResult} from '../soap/http-get.js'
import {exchangeSystemUserToken, SystemUserAuthError} from '../soap/partner-system-user.js'
import type {SoapTransport} from '../soap/transport.js'

/**
 * Claim names as SuperOffice spells them: `schemes`, not `schemas` (SuperOffice's own samples and
 * libraries, e.g. devnet-python-system-user and SuperOffice.WebApi; FACTS.md §5.3 misspells it).
 */
export const TICKET_CLAIM = 'http://schemes.superoffice.net/identity/ticket'
export const NETSERVER_URL_CLAIM = 'http://schemes.superoffice.net/identity/netserver_url'

/**
 * How far this machine's clock may be from the login service's when the JWT is checked: the same
 * 5 minutes the service allows the signed token's time stamp (and .NET's default clock skew), so a
 * clock the service accepts does not then fail on the JWT's nbf or exp.
 */
export const CLOCK_TOLERANCE_SECONDS = 300
const DEFAULT_JWKS_TIMEOUT_MS = 30_000
const MAX_JWKS_BYTES = 256 * 1024

export type SystemUserFailure =
  | 'refused'
  | 'bad-signature'
  | 'unknown-key'
  | 'expired'
  | 'not-yet-valid'
  | 'malformed-token'
  | 'no-ticket'
  | 'jwks-unreachable'
  | 'jwks-invalid'

const CHECK_INPUTS = 'Check the system token, the private key, the context id (CustNNNNN) and the app token (the client secret), and that this machine\'s clock is right (soemail doctor checks it).'

/** A system-user login that failed after the request was well-formed; `reason` says which step. */
export class SystemUserLoginError extends CliError {
  override name = 'SystemUserLoginError'
  constructor(readonly reason: SystemUserFailure, message: string, options: {hint?: string; cause?: unknown; details?: unknown} = {}) {
    const network = reason === 'jwks-unreachable' || reason === 'jwks-invalid'
    super(network ? (reason === 'jwks-unreachable' ? 'NETWORK_ERROR' : 'BAD_RESPONSE') : 'LOGIN_FAILED', network ? ExitCode.SERVER : ExitCode.AUTH, message, options)
  }
}

/** The private key cannot be used for signing; the message names the expected format, never the key. */
export class PrivateKeyError extends UsageError {
  override name = 'PrivateKeyError'
}

const EXPECTED_KEY = 'an unencrypted RSA private key in PEM format ("-----BEGIN PRIVATE KEY-----" or "-----BEGIN RSA PRIVATE KEY-----")'

/**
 * `<systemToken>.<UTC yyyyMMddHHmm>.<base64 RSA-SHA256 signature of the part before>` — the format of
 * SuperOffice's samples (sign-system-user-token.md, devnet-python-system-user): PKCS#1 v1.5 padding,
 * standard base64 with padding.
 */
export function signSystemToken(systemToken: string, privateKeyPem: string, now: Date): string {
  if (systemToken.trim() === '') throw new UsageError('the system token is empty')
  if (systemToken !== systemToken.trim()) {
    // A pasted token often carries a newline; signing it as-is would only earn a vague refusal.
    throw new UsageError('the system token starts or ends with white space; give it exactly as the system_token claim holds it')
  }
  if (Number.isNaN(now.getTime())) throw new RangeError('signSystemToken: now is not a valid date')
  const data = `${systemToken}.${utcStamp(now)}`
  const signature = sign('sha256', Buffer.from(data, 'utf8'), rsaPrivateKey(privateKeyPem))
  return `${data}.${signature.toString('base64')}`
}

function utcStamp(d: Date): string {
  const two = (n: number) => String(n).padStart(2, '0')
  return `${d.getUTCFullYear()}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}${two(d.getUTCHours())}${two(d.getUTCMinutes())}`
}

function rsaPrivateKey(pem: string): KeyObject {
  if (/<RSAKeyValue[\s>]/.test(pem)) {
    throw new PrivateKeyError(`the private key is in .NET XML format (<RSAKeyValue>); soemail needs ${EXPECTED_KEY}`, {
      hint: 'Convert the XML key SuperOffice gave you to PEM (for example with an RSA XML-to-PEM converter), keep it private, and pass that file.',
    })
  }
  if (/-----BEGIN (PUBLIC KEY|RSA PUBLIC KEY|CERTIFICATE)-----/.test(pem) && !/-----BEGIN (RSA |ENCRYPTED )?PRIVATE KEY-----/.test(pem)) {
    throw new PrivateKeyError(`the file holds a public key or certificate, not the private key; soemail needs ${EXPECTED_KEY}`)
  }
  let key: KeyObject
  try {
    key = createPrivateKey({key: pem, format: 'pem'})
  } catch (error) {
    // Node's message can quote parts of the input; give only its code.
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ERR_MISSING_PASSPHRASE' || /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(pem)) {
      throw new PrivateKeyError(`the private key is protected by a passphrase; soemail needs ${EXPECTED_KEY}`, {
        hint: 'Write an unencrypted copy readable only by you, e.g. openssl pkey -in key.pem -out key-plain.pem && chmod 600 key-plain.pem',
      })
    }
    throw new PrivateKeyError(`the private key could not be read${code ? ` (${code})` : ''}; soemail needs ${EXPECTED_KEY}`)
  }
  if (key.asymmetricKeyType !== 'rsa') {
    throw new PrivateKeyError(`the private key is a${key.asymmetricKeyType === 'ec' || key.asymmetricKeyType === 'ed25519' ? 'n' : ''} ${key.asymmetricKeyType ?? 'unknown'} key; SuperOffice system users sign with RSA, so soemail needs ${EXPECTED_KEY}`)
  }
  return key
}

/** SuperOffice's login service for a tenant or NetServer URL: https://online.superoffice.com/Cust1 -> https://online.superoffice.com/login. */
export function loginBaseFor(netserverBaseUrl: string): string {
  let url: URL
  try {
    url = new URL(netserverBaseUrl)
  } catch {
    throw new EndpointPolicyError('bad-url', `"${netserverBaseUrl}" is not a URL`)
  }
  return `${url.origin}/login`
}

export interface SystemUserLoginArgs {
  /** e.g. https://online.superoffice.com/login (see loginBaseFor). */
  loginBaseUrl: string
  systemToken: string
  privateKeyPem: string
  contextIdentifier: string
  /** The client secret. */
  applicationToken: string
  transport: SoapTransport
  now?: () => Date
  /** Default `${loginBaseUrl}/.well-known/jwks`. */
  jwksUrl?: string
  /** Permit http:// to another host (never needed for Online). */
  allowHttp?: boolean
  jwksTimeoutMs?: number
}

export interface SystemUserLoginResult {
  ticket: string
  /** e.g. https://online.superoffice.com/Cust12345/Remote/Services88/, when the JWT names it. */
  netserverUrl?: string
  /** When the JWT expires. The ticket it carried lives on: 6 hours from its last use (FACTS.md §5.2). */
  expiresAt?: Date
  /** Every claim of the verified JWT (the ticket among them: treat as secret). */
  claims: Record<string, unknown>
}

/**
 * The Online system-user flow (FACTS.md §5.3): sign the system token, exchange it at
 * PartnerSystemUserService for a JWT, verify that JWT against the environment's JWKS, and read the
 * ticket from it. Wire failures (faults, HTTP, network) come through as the soap layer's errors.
 */
export async function systemUserLogin(args: SystemUserLoginArgs): Promise<SystemUserLoginResult> {
  const now = args.now ?? (() => new Date())
  const base = args.loginBaseUrl.replace(/\/+$/, '')
  checkBaseUrl(base, args.allowHttp ?? false)
  const jwksUrl = args.jwksUrl ?? `${base}/.well-known/jwks`
  checkBaseUrl(jwksUrl, args.allowHttp ?? false)

  const signedSystemToken = signSystemToken(args.systemToken, args.privateKeyPem, now())
  const serviceUrl = `${base}/services/PartnerSystemUserService.svc`
  let jwt: string
  try {
    jwt = await exchangeSystemUserToken(args.transport, {serviceUrl, applicationToken: args.applicationToken, contextIdentifier: args.contextIdentifier, signedSystemToken})
  } catch (error) {
    if (!(error instanceof SystemUserAuthError)) throw error
    throw new SystemUserLoginError('refused', error.message, {hint: CHECK_INPUTS, cause: error, details: {url: serviceUrl, errorMessage: error.errorMessage}})
  }

  const keys = await fetchJwks(jwksUrl, args.jwksTimeoutMs ?? DEFAULT_JWKS_TIMEOUT_MS, args.transport)
  const payload = await verifyJwt(jwt, keys, now(), jwksUrl)
  const ticket = payload[TICKET_CLAIM]
  if (typeof ticket !== 'string' || ticket.trim() === '') {
    throw new SystemUserLoginError('no-ticket', `the system-user token from SuperOffice is valid but holds no ticket (claim ${TICKET_CLAIM})`, {
      hint: 'Ask SuperOffice whether the app may use the system user in this tenant.',
      details: {claims: Object.keys(payload)},
    })
  }
  const netserverUrl = payload[NETSERVER_URL_CLAIM]
  return {
    ticket: ticket.trim(),
    netserverUrl: typeof netserverUrl === 'string' && netserverUrl !== '' ? netserverUrl : undefined,
    expiresAt: typeof payload.exp === 'number' ? new Date(payload.exp * 1000) : undefined,
    claims: {...payload},
  }
}

/** Over the transport's agents, so --ca-file and HTTPS_PROXY/NO_PROXY apply as they do to the SOAP calls. */
async function fetchJwks(url: string, timeoutMs: number, transport: SoapTransport): Promise<JSONWebKeySet> {
  const unreachable = (why: string, cause?: unknown) =>
    new SystemUserLoginError('jwks-unreachable', `could not fetch SuperOffice's signing keys from ${url}: ${why}`, {
      hint: 'Check the network and any proxy (HTTPS_PROXY); without these keys the login cannot be verified.',
      cause,
      details: {url},
    })
  const invalid = (why: string) => new SystemUserLoginError('jwks-invalid', `${url} did not answer with a JSON Web Key Set: ${why}`, {details: {url}})
  let res: GetResult
  try {
    res = await httpGet(url, {agents: transport.agents, timeoutMs, accept: 'application/json', maxBytes: MAX_JWKS_BYTES})
  } catch (error) {
    if (error instanceof TransportError && error.code === 'ETOOLARGE') throw invalid(`the answer is larger than ${MAX_JWKS_BYTES} bytes`)
    throw unreachable(error instanceof TransportError ? error.message.replace(` (${url})`, '') : 'the request failed', error)
  }
  if (res.status !== 200) throw unreachable(`it answered HTTP ${res.status}`)
  let json: unknown
  try {
    json = JSON.parse(res.body)
  } catch {
    throw invalid('the answer is not JSON')
  }
  const keys = (json as {keys?: unknown} | null)?.keys
  if (!Array.isArray(keys) || keys.length === 0) throw invalid('it holds no "keys"')
  return json as JSONWebKeySet
}

/** Signature (RS256 only: no algorithm the token chooses itself), expiry and not-before. */
async function verifyJwt(jwt: string, jwks: JSONWebKeySet, now: Date, jwksUrl: string): Promise<JWTPayload> {
  let keySet
  try {
    keySet = createLocalJWKSet(jwks)
  } catch {
    throw new SystemUserLoginError('jwks-invalid', `${jwksUrl} did not answer with a usable JSON Web Key Set`, {details: {url: jwksUrl}})
  }
  try {
    const {payload} = await jwtVerify(jwt, keySet, {algorithms: ['RS256'], clockTolerance: CLOCK_TOLERANCE_SECONDS, currentDate: now, requiredClaims: ['exp']})
    return payload
  } catch (error) {
    throw jwtError(error, jwksUrl)
  }
}

function jwtError(error: unknown, jwksUrl: string): SystemUserLoginError {
  const what = 'the system-user token (JWT) SuperOffice answered with'
  const options = {cause: error, details: {jwksUrl}}
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) {
    return new SystemUserLoginError('bad-signature', `the signature of ${what} does not verify against the keys at ${jwksUrl}`, {
      ...options,
      hint: 'Something between this machine and SuperOffice altered or forged the answer, or --login-url points at the wrong environment. Nothing was stored.',
    })
  }
  if (error instanceof joseErrors.JWKSNoMatchingKey) {
    return new SystemUserLoginError('unknown-key', `${what} is signed with a key that is not among the keys at ${jwksUrl}`, {
      ...options,
      hint: 'Check that --login-url belongs to the same environment (sod, stage, online) as the tenant. Nothing was stored.',
    })
  }
  if (error instanceof joseErrors.JWTExpired) {
    return new SystemUserLoginError('expired', `${what} has already expired`, {
      ...options,
      hint: 'Check that this machine\'s clock is right (soemail doctor checks it), then log in again.',
    })
  }
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf') {
      return new SystemUserLoginError('not-yet-valid', `${what} is not valid yet`, {...options, hint: 'This machine\'s clock is behind; correct it and log in again.'})
    }
    return new SystemUserLoginError('malformed-token', `${what} has an unusable "${error.claim}" claim (${error.reason})`, options)
  }
  return new SystemUserLoginError('malformed-token', `${what} is not a usable RS256-signed JWT${error instanceof joseErrors.JOSEError ? ` (${error.code})` : ''}`, options)
}
