import {spawn} from 'node:child_process'
import {request as httpRequest} from 'node:http'
import {performance} from 'node:perf_hooks'
import {setTimeout as sleep} from 'node:timers/promises'
import {afterEach, describe, expect, it} from 'vitest'
import type {EMailAccount} from '../../src/soap/account-model.js'
import {accountFields} from '../../src/soap/account-xml.js'
import {buildEnvelope, type RequestHeaders, type XmlFields} from '../../src/soap/envelope.js'
import {NetServerError} from '../../src/soap/errors.js'
import {parseSoapResponse} from '../../src/soap/response.js'
import {servicesNamespace, soapAction, type ServiceName} from '../../src/soap/versions.js'
import {child} from '../../src/soap/xml-tree.js'
import {startSandbox, type Sandbox, type SandboxOptions} from '../../src/sandbox/server.js'
import {BIN, cleanEnv, parseJson, runCli} from '../helpers/cli.js'

const NS87 = servicesNamespace('87')

interface Exchange {
  status: number
  headers: Headers
  text: string
  ms: number
}

/** Started sandboxes, closed after each test so a failing assertion never leaks a listening server. */
const running: Sandbox[] = []
afterEach(async () => {
  await Promise.all(running.splice(0).map((sb) => sb.close()))
})

async function sandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  // The schema check is covered elsewhere; off, hundreds of requests stay fast.
  const sb = await startSandbox({schemaCheck: false, ...options})
  running.push(sb)
  return sb
}

async function call(sb: Sandbox, service: ServiceName, operation: string, body: XmlFields, headers: RequestHeaders): Promise<Exchange> {
  const started = performance.now()
  const res = await fetch(`${sb.url}/Remote/Services87/${service}.svc`, {
    method: 'POST',
    headers: {'content-type': 'text/xml; charset=utf-8', soapaction: `"${soapAction('87', service, operation)}"`},
    body: buildEnvelope({version: '87', operation, headers, body}),
  })
  const text = await res.text()
  return {status: res.status, headers: res.headers, text, ms: performance.now() - started}
}

const account = (emailAddress: string): EMailAccount => ({
  emailAddress,
  associateId: 5,
  incoming: {serviceAuthId: 0, server: 'imap.example.com', port: 993, authType: 'plain-text', username: 'u', password: 'in-secret'},
  outgoing: {serviceAuthId: 0, server: 'smtp.example.com', port: 587, authType: 'plain-text', username: 'u', password: 'out-secret'},
})

const save = (sb: Sandbox, address: string) => call(sb, 'EMail', 'SaveEMailAccount', [['EMailAccount', accountFields(account(address), '87')]], {ticket: sb.demoTicket})
const lookup = (sb: Sandbox, ticket = sb.demoTicket) => call(sb, 'EMail', 'GetEMailAccountFromEMailAddress', [['FromAddress', 'nobody@example.com']], {ticket})
const login = (sb: Sandbox) => call(sb, 'SoPrincipal', 'AuthenticateUsernamePassword', [['UserName', 'demo'], ['Password', 'demo']], {})

/**
 * A save over node:http that gives up after `ms`, as got (the CLI's client) does. fetch is avoided here:
 * after an abort undici opens a spare connection that holds the sandbox's close() for its grace period.
 */
function saveGivingUp(sb: Sandbox, address: string, ms: number): Promise<string> {
  const body = buildEnvelope({version: '87', operation: 'SaveEMailAccount', headers: {ticket: sb.demoTicket}, body: [['EMailAccount', accountFields(account(address), '87')]]})
  return new Promise((resolve) => {
    const req = httpRequest(`${sb.url}/Remote/Services87/EMail.svc`, {
      method: 'POST',
      agent: false,
      timeout: ms,
      headers: {'content-type': 'text/xml; charset=utf-8', soapaction: `"${soapAction('87', 'EMail', 'SaveEMailAccount')}"`},
    })
    req.on('timeout', () => req.destroy(new Error('client timeout')))
    req.on('response', (res) => resolve(`answered ${res.statusCode}`))
    req.on('error', (error) => resolve(error.message))
    req.end(body)
  })
}

const stored = (sb: Sandbox, address: string) => sb.accounts().some((a) => a.emailAddress === address)

/** What a client sees: the HTTP status, or `reset` when the connection was reset without an answer. */
async function outcome(request: Promise<Exchange>): Promise<number | 'reset'> {
  try {
    return (await request).status
  } catch (error) {
    if ((error as Error).cause instanceof Error && ((error as Error).cause as NodeJS.ErrnoException).code === 'ECONNRESET') return 'reset'
    throw error
  }
}

function succeeded(ex: Exchange, operation: string, responseElement?: string) {
  return parseSoapResponse(ex.text, {operation, ns: NS87, url: 'sandbox', status: ex.status, contentType: ex.headers.get('content-type') ?? undefined, responseElement}).body
}

function refusal(ex: Exchange, operation: string): string | undefined {
  try {
    succeeded(ex, operation)
  } catch (error) {
    if (error instanceof NetServerError) return error.info.exceptionType
    throw error
  }
  throw new Error(`${operation} succeeded, expected a refusal`)
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = performance.now() + 3000
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(10)
  }
}

describe('sandbox fault injection', () => {
  it('resetBefore: the connection is reset (ECONNRESET) and the account was not created', async () => {
    const sb = await sandbox({faults: {rates: {resetBefore: 1}}})
    expect(await outcome(save(sb, 'rb@example.com'))).toBe('reset')
    expect(stored(sb, 'rb@example.com')).toBe(false)
    expect(sb.stats()).toMatchObject({requests: 1, acted: 0, faults: {resetBefore: 1}, byOperation: {SaveEMailAccount: 1}})
  })

  it('resetAfter: the connection is reset but the account was created, exactly once', async () => {
    const sb = await sandbox({faults: {rates: {resetAfter: 1}}})
    expect(await outcome(save(sb, 'ra@example.com'))).toBe('reset')
    expect(sb.accounts().filter((a) => a.emailAddress === 'ra@example.com')).toHaveLength(1)
    expect(sb.stats()).toMatchObject({requests: 1, acted: 1, faults: {resetAfter: 1}})
  })

  it('serverError answers 500 with an IIS HTML page, throttle 503 with Retry-After: 1; neither creates anything', async () => {
    const sb = await sandbox({faults: {rates: {serverError: 1}}})
    const failed = await save(sb, 'five@example.com')
    expect(failed.status).toBe(500)
    expect(failed.headers.get('content-type')).toMatch(/^text\/html/)
    expect(failed.text).toContain('500 - Internal server error.')

    sb.setFaults({rates: {throttle: 1}})
    const throttled = await save(sb, 'three@example.com')
    expect(throttled.status).toBe(503)
    expect(throttled.headers.get('retry-after')).toBe('1')
    expect(throttled.text).toContain('Service Unavailable')

    expect(sb.accounts()).toEqual([])
    expect(sb.stats()).toMatchObject({acted: 0, faults: {serverError: 1, throttle: 1}})
  })

  it('timeoutBefore never answers nor acts; the socket is freed when the client gives up', async () => {
    const log: string[] = []
    const sb = await sandbox({faults: {rates: {timeoutBefore: 1}}, log: (l) => log.push(l)})
    expect(await saveGivingUp(sb, 'tb@example.com', 250)).toBe('client timeout')
    await until(() => log.some((l) => / timeout-before/.test(l)), 'the sandbox to notice the client left')
    expect(stored(sb, 'tb@example.com')).toBe(false)
    expect(sb.stats()).toMatchObject({acted: 0, faults: {timeoutBefore: 1}})
  })

  it('timeoutAfter acts, then never answers', async () => {
    const log: string[] = []
    const sb = await sandbox({faults: {rates: {timeoutAfter: 1}}, log: (l) => log.push(l)})
    expect(await saveGivingUp(sb, 'ta@example.com', 250)).toBe('client timeout')
    expect(stored(sb, 'ta@example.com')).toBe(true)
    await until(() => log.some((l) => / timeout-after/.test(l)), 'the sandbox to notice the client left')
    expect(sb.stats()).toMatchObject({acted: 1, faults: {timeoutAfter: 1}})
  })

  it('close() cuts a request held without an answer instead of waiting for it', async () => {
    const sb = await startSandbox({schemaCheck: false, faults: {rates: {timeoutBefore: 1}}})
    const pending = save(sb, 'held@example.com').then(
      () => 'answered',
      (error: Error) => `failed: ${String(error.cause)}`,
    )
    await until(() => sb.stats().faults.timeoutBefore === 1, 'the request to be held')
    const closing = performance.now()
    await sb.close()
    expect(performance.now() - closing).toBeLessThan(1000)
    expect(await pending).toMatch(/^failed: .*closed/)
  })

  it('latency adds at least the range minimum to every request, logins included', async () => {
    const sb = await sandbox({faults: {latencyMs: [120, 160]}})
    for (const ex of [await lookup(sb), await login(sb)]) {
      expect(ex.status).toBe(200)
      // Timers may fire up to a millisecond early against performance.now().
      expect(ex.ms).toBeGreaterThanOrEqual(118)
    }
  })

  it('ticketExpiryAfterCalls: call N+1 gets SoSessionException, a fresh login works, and the count starts over', async () => {
    const sb = await sandbox({faults: {ticketExpiryAfterCalls: 3}})
    for (let i = 0; i < 3; i++) succeeded(await lookup(sb), 'GetEMailAccountFromEMailAddress')
    expect(refusal(await lookup(sb), 'GetEMailAccountFromEMailAddress')).toBe('SoSessionException')

    const res = succeeded(await login(sb), 'AuthenticateUsernamePassword', 'AuthenticateResponse')
    const ticket = child(child(res, NS87, 'Credentials'), NS87, 'Ticket')?.text ?? ''
    expect(ticket).toMatch(/^7T:/)
    for (let i = 0; i < 3; i++) succeeded(await lookup(sb, ticket), 'GetEMailAccountFromEMailAddress')
    expect(refusal(await lookup(sb, ticket), 'GetEMailAccountFromEMailAddress')).toBe('SoSessionException')
    expect(sb.stats().faults.ticketExpiry).toBe(2)
  })

  it('the same seed gives the same faults over 50 requests; another seed gives others', async () => {
    const rates = {serverError: 0.2, throttle: 0.2, resetBefore: 0.2}
    const run = async (seed: number) => {
      const sb = await sandbox({faults: {seed, rates}})
      const seen: Array<number | 'reset'> = []
      for (let i = 0; i < 50; i++) seen.push(await outcome(lookup(sb)))
      expect(sb.activeFaults()?.seed).toBe(seed)
      return seen
    }
    const first = await run(1234)
    expect(new Set(first)).toEqual(new Set([200, 500, 503, 'reset']))
    expect(await run(1234)).toEqual(first)
    expect(await run(4321)).not.toEqual(first)
  })

  it('without a seed it picks one and reports it, and that seed replays the run', async () => {
    const rates = {serverError: 0.3, throttle: 0.3}
    const sb = await sandbox({faults: {rates}})
    const seed = sb.activeFaults()!.seed
    expect(Number.isInteger(seed)).toBe(true)
    const seen = []
    for (let i = 0; i < 20; i++) seen.push((await lookup(sb)).status)
    const replay = await sandbox({faults: {rates, seed}})
    const again = []
    for (let i = 0; i < 20; i++) again.push((await lookup(replay)).status)
    expect(again).toEqual(seen)
  })

  it('setFaults switches faults off and on; a bad value throws and changes nothing', async () => {
    const sb = await sandbox({faults: {seed: 5, rates: {serverError: 1}}})
    expect((await lookup(sb)).status).toBe(500)
    expect(() => sb.setFaults({rates: {serverError: 1.5}})).toThrow(/faults\.rates\.serverError.*0 to 1/)
    expect((await lookup(sb)).status).toBe(500)

    sb.setFaults(undefined)
    expect(sb.activeFaults()).toBeUndefined()
    expect((await lookup(sb)).status).toBe(200)
    expect(await outcome(save(sb, 'after@example.com'))).toBe(200)
    expect(stored(sb, 'after@example.com')).toBe(true)

    sb.setFaults({rates: {throttle: 1}})
    expect(sb.activeFaults()).toMatchObject({seed: 5, rates: {throttle: 1}})
    expect((await lookup(sb)).status).toBe(503)
    expect(sb.stats()).toMatchObject({requests: 5, acted: 1, faults: {serverError: 2, throttle: 1}, byOperation: {GetEMailAccountFromEMailAddress: 4, SaveEMailAccount: 1}})
  })

  it('faults hit only the listed operations; logins only when listed', async () => {
    const sb = await sandbox({faults: {rates: {serverError: 1}}})
    expect((await login(sb)).status).toBe(200)
    expect((await lookup(sb)).status).toBe(500)

    sb.setFaults({rates: {serverError: 1}, operations: ['SaveEMailAccount']})
    expect((await lookup(sb)).status).toBe(200)
    expect((await save(sb, 'only@example.com')).status).toBe(500)
    expect(stored(sb, 'only@example.com')).toBe(false)

    sb.setFaults({rates: {serverError: 1}, operations: ['AuthenticateUsernamePassword']})
    expect((await login(sb)).status).toBe(500)
    expect((await lookup(sb)).status).toBe(200)
  })

  it('under parallel mixed faults the store holds exactly the creates that were answered or reset after acting', async () => {
    const sb = await sandbox({faults: {seed: 99, latencyMs: [0, 20], rates: {serverError: 0.15, resetBefore: 0.2, resetAfter: 0.2}}})
    const addresses = Array.from({length: 40}, (_, i) => `bulk${i}@example.com`)
    const results = await Promise.all(addresses.map((a) => outcome(save(sb, a))))
    const answered = addresses.filter((_, i) => results[i] === 200)
    const {faults, acted} = sb.stats()
    expect(faults.resetAfter).toBeGreaterThan(0)
    expect(faults.resetBefore).toBeGreaterThan(0)
    expect(results.filter((r) => r === 'reset')).toHaveLength((faults.resetBefore ?? 0) + (faults.resetAfter ?? 0))
    const accounts = sb.accounts()
    expect(accounts).toHaveLength(answered.length + (faults.resetAfter ?? 0))
    expect(acted).toBe(accounts.length)
    for (const a of answered) expect(stored(sb, a)).toBe(true)
    expect(new Set(accounts.map((a) => a.emailAddress)).size).toBe(accounts.length)
  })

  it('refuses bad fault options at start, naming the option', async () => {
    await expect(startSandbox({faults: {rates: {resetAfter: -0.1}}})).rejects.toThrow(/faults\.rates\.resetAfter must be a probability from 0 to 1/)
    await expect(startSandbox({faults: {latencyMs: [80, 20]}})).rejects.toThrow(/faults\.latencyMs/)
    await expect(startSandbox({faults: {ticketExpiryAfterCalls: 0}})).rejects.toThrow(/faults\.ticketExpiryAfterCalls/)
  })
})

describe('soemail sandbox fault flags', () => {
  it('refuses a rate outside 0..1 with exit 2 naming the flag (and still takes a plain --latency number)', async () => {
    const res = await runCli(['sandbox', '--latency', '50', '--fail-5xx', '1.5'])
    expect(res.code).toBe(2)
    expect(res.stderr).toContain('--fail-5xx')
    expect(res.stderr).toContain('0..1')
  })

  it('--json reports the faults and the seed at start, and the faults are in force', async () => {
    const child = spawn(process.execPath, [BIN, 'sandbox', '--json', '--quiet', '--seed', '7', '--fail-reset-after', '0.1', '--fail-throttle', '1', '--latency', '20-40'], {
      env: cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve))
    try {
      let stdout = ''
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`sandbox did not start: ${stdout}`)), 10_000)
        child.stdout.on('data', (d: Buffer) => {
          stdout += d.toString()
          if (/\}\s*$/.test(stdout)) {
            clearTimeout(timer)
            resolve()
          }
        })
      })
      const info = parseJson(stdout).result as {url: string; ticket: string; faults: unknown}
      expect(info.faults).toEqual({seed: 7, latencyMs: [20, 40], rates: {throttle: 1, resetAfter: 0.1}})
      const res = await fetch(`${info.url}/Remote/Services87/EMail.svc`, {
        method: 'POST',
        headers: {'content-type': 'text/xml; charset=utf-8', soapaction: `"${soapAction('87', 'EMail', 'GetEMailAccount')}"`},
        body: buildEnvelope({version: '87', operation: 'GetEMailAccount', headers: {ticket: info.ticket}, body: [['EMailAccountId', 1]]}),
      })
      expect(res.status).toBe(503)
    } finally {
      child.kill('SIGINT')
    }
    expect(await exited).toBe(0)
  })
})
