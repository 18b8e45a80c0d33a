/**
 * `--capacity N --queue M`: a sandbox that can be overloaded. Real requests over loopback: the latency is
 * long enough that requests sent together are all at the server at once, and nothing here is timed.
 */
import {setTimeout as sleep} from 'node:timers/promises'
import {afterEach, describe, expect, it} from 'vitest'
import {classifyFailure} from '../../src/connection/call-policy.js'
import type {EMailAccount} from '../../src/soap/account-model.js'
import {NetServerClient} from '../../src/soap/client.js'
import {EMailService} from '../../src/soap/email-service.js'
import {HttpResponseError, TransportError} from '../../src/soap/errors.js'
import {SoapTransport} from '../../src/soap/transport.js'
import {startSandbox, type Sandbox, type SandboxOptions} from '../../src/sandbox/server.js'
import {capacityFromFlags} from '../../src/app/sandbox.js'
import {cleanEnv, parseJson, runCli} from '../helpers/cli.js'
import {JSON_READY, startSandboxCli} from '../helpers/cli-sandbox.js'

const running: Sandbox[] = []
const transports: SoapTransport[] = []
afterEach(async () => {
  for (const t of transports.splice(0)) t.close()
  await Promise.all(running.splice(0).map((sb) => sb.close()))
})

async function sandbox(options: SandboxOptions): Promise<Sandbox> {
  const sb = await startSandbox({schemaCheck: false, ...options})
  running.push(sb)
  return sb
}

/** The real client, as a bulk run uses it: one request per call, no retries of its own. */
function emailService(sb: Sandbox, timeoutMs = 30_000): EMailService {
  const transport = new SoapTransport({timeoutMs})
  transports.push(transport)
  return new EMailService(new NetServerClient({baseUrl: sb.url, version: '87', ticket: sb.demoTicket, allowHttp: true}, transport))
}

const account = (emailAddress: string): EMailAccount => ({
  emailAddress,
  associateId: 1,
  incoming: {serviceAuthId: 0, server: 'imap.example.com', port: 993, authType: 'plain-text', username: 'u', password: 'in-secret'},
  outgoing: {serviceAuthId: 0, server: 'smtp.example.com', port: 587, authType: 'plain-text', username: 'u', password: 'out-secret'},
})

type Outcome = {ok: true} | {ok: false; error: unknown}
const save = (email: EMailService, address: string): Promise<Outcome> =>
  email.saveEMailAccount(account(address)).then(
    () => ({ok: true}) as const,
    (error: unknown) => ({ok: false, error}) as const,
  )

/** Waits until `check` holds, polling; fails after 10 s (a bound, not a timing assertion). */
async function until(check: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !check(); waited += 20) {
    if (waited > 10_000) throw new Error(`timed out waiting for ${what}`)
    await sleep(20)
  }
}

describe('sandbox --capacity N --queue M', () => {
  it('works on N at once, queues M, and turns the rest away with a 503 IIS page and Retry-After that a bulk run retries', async () => {
    const sb = await sandbox({latencyMs: 1500, capacity: {limit: 2, queue: 2}})
    const email = emailService(sb)
    const outcomes = await Promise.all(Array.from({length: 8}, (_, n) => save(email, `user${n}@example.com`)))
    const refused = outcomes.filter((o): o is {ok: false; error: unknown} => !o.ok)
    expect(outcomes.filter((o) => o.ok)).toHaveLength(4)
    expect(refused).toHaveLength(4)
    for (const {error} of refused) {
      expect(error).toBeInstanceOf(HttpResponseError)
      expect((error as HttpResponseError).status).toBe(503)
      // Not processed: even a create is sent again, and the adaptive limiter backs off.
      expect(classifyFailure(error, true)).toMatchObject({kind: 'retry', congestion: true})
    }
    expect(sb.accounts()).toHaveLength(4)
    expect(sb.stats().capacity).toMatchObject({rejected: 4, dropped: 0, queued: 2, peakActive: 2, peakWaiting: 2})
  })

  it('answers 503 with Retry-After: 1 and the HTTP.SYS page', async () => {
    const sb = await sandbox({latencyMs: 1500, capacity: {limit: 1, queue: 0}})
    const post = () =>
      fetch(`${sb.url}/Remote/Services87/EMail.svc`, {method: 'POST', headers: {'content-type': 'text/xml; charset=utf-8', soapaction: '"x"'}, body: '<x/>'})
    const answers = await Promise.all([post(), post()])
    const busy = answers.find((r) => r.status === 503)
    expect(busy, `statuses ${answers.map((r) => r.status).join(', ')}`).toBeDefined()
    expect(busy!.headers.get('retry-after')).toBe('1')
    expect(busy!.headers.get('content-type')).toMatch(/^text\/html/)
    expect(await busy!.text()).toContain('HTTP Error 503. The service is unavailable.')
    await Promise.all(answers.filter((r) => r !== busy).map((r) => r.text()))
  })

  it('drops a request whose client gave up while it waited, without saving it, so sending it again makes no duplicate', async () => {
    const sb = await sandbox({latencyMs: 1500, capacity: {limit: 1, queue: 4}})
    const first = save(emailService(sb), 'first@example.com')
    await until(() => (sb.stats().capacity?.peakActive ?? 0) === 1, 'the first request to be at work')
    // Waits behind the first, and gives up long before its turn comes.
    const late = await save(emailService(sb, 300), 'late@example.com')
    expect(late.ok).toBe(false)
    const error = (late as {error: unknown}).error
    expect(error).toBeInstanceOf(TransportError)
    expect(classifyFailure(error, true).kind).toBe('unknown')
    expect((await first).ok).toBe(true)
    await until(() => sb.stats().capacity?.dropped === 1, 'the late request to be dropped')
    expect(sb.accounts().map((a) => a.emailAddress)).toEqual(['first@example.com'])
    expect(sb.stats().acted).toBe(1)

    // The client looks it up, finds nothing, and sends it again: one account.
    expect((await save(emailService(sb), 'late@example.com')).ok).toBe(true)
    expect(sb.accounts().map((a) => a.emailAddress).sort()).toEqual(['first@example.com', 'late@example.com'])
  })

  it('setCapacity changes the capacity while running', async () => {
    const sb = await sandbox({latencyMs: 1000, capacity: {limit: 1, queue: 0}})
    const email = emailService(sb)
    const before = await Promise.all([save(email, 'a@example.com'), save(email, 'b@example.com')])
    expect(before.filter((o) => o.ok)).toHaveLength(1)
    sb.setCapacity(3)
    const after = await Promise.all([save(email, 'c@example.com'), save(email, 'd@example.com'), save(email, 'e@example.com')])
    expect(after.filter((o) => o.ok)).toHaveLength(3)
    sb.setCapacity(1)
    const again = await Promise.all([save(email, 'f@example.com'), save(email, 'g@example.com')])
    expect(again.filter((o) => o.ok)).toHaveLength(1)
    expect(() => sb.setCapacity(0)).toThrow(RangeError)
  })

  it('a raised capacity lets waiting requests in at once', async () => {
    const sb = await sandbox({latencyMs: 1000, capacity: {limit: 1, queue: 3}})
    const email = emailService(sb)
    const all = Promise.all([save(email, 'a@example.com'), save(email, 'b@example.com'), save(email, 'c@example.com')])
    await until(() => (sb.stats().capacity?.peakWaiting ?? 0) === 2, 'two requests waiting')
    sb.setCapacity(3)
    expect((await all).every((o) => o.ok)).toBe(true)
    expect(sb.stats().capacity?.peakActive).toBe(3)
  })

  it('a schedule changes the capacity from a given request on', async () => {
    const sb = await sandbox({latencyMs: 1000, capacity: {limit: 2, queue: 0, schedule: [{afterRequests: 3, limit: 1}]}})
    const email = emailService(sb)
    expect((await Promise.all([save(email, 'a@example.com'), save(email, 'b@example.com')])).every((o) => o.ok)).toBe(true)
    const later = await Promise.all([save(email, 'c@example.com'), save(email, 'd@example.com')])
    expect(later.filter((o) => o.ok)).toHaveLength(1)
    expect(sb.stats().capacity?.rejected).toBe(1)
  })

  it('serves GET (help page, WSDL) outside the capacity', async () => {
    const sb = await sandbox({latencyMs: 1000, capacity: {limit: 1, queue: 0}})
    const busy = save(emailService(sb), 'a@example.com')
    await until(() => (sb.stats().capacity?.peakActive ?? 0) === 1, 'the save to be at work')
    expect((await fetch(`${sb.url}/Remote/Services87/EMail.svc?wsdl`)).status).toBe(200)
    expect((await busy).ok).toBe(true)
  })
})

describe('soemail sandbox --capacity flags', () => {
  it('turn into the capacity the sandbox takes, the queue as long as the capacity unless given', () => {
    expect(capacityFromFlags({})).toBeUndefined()
    expect(capacityFromFlags({capacity: 8})).toEqual({limit: 8, queue: 8})
    expect(capacityFromFlags({capacity: 8, queue: 0, 'capacity-schedule': '2@1000, 8@2000'})).toEqual({
      limit: 8,
      queue: 0,
      schedule: [
        {afterRequests: 1000, limit: 2},
        {afterRequests: 2000, limit: 8},
      ],
    })
  })

  it('refuse a schedule that is not CAP@REQUEST, saying what it expects', async () => {
    const res = await runCli(['sandbox', '--capacity', '8', '--capacity-schedule', '2at1000'], {env: cleanEnv()})
    expect(res.code).toBe(2)
    expect(res.stderr).toContain('--capacity-schedule expects CAP@REQUEST pairs')
    expect(res.stderr).toContain('"2at1000"')
  })

  it('--json reports the capacity, and the CLI sandbox applies it', async () => {
    const cli = await startSandboxCli(['--json', '--quiet', '--capacity', '1', '--queue', '0', '--latency', '1000'], JSON_READY)
    try {
      const info = parseJson(cli.stdout()).result as {url: string; ticket: string; capacity: unknown}
      expect(info.capacity).toEqual({limit: 1, queue: 0, schedule: []})
      const transport = new SoapTransport({timeoutMs: 30_000})
      transports.push(transport)
      const email = new EMailService(new NetServerClient({baseUrl: info.url, version: '87', ticket: info.ticket, allowHttp: true}, transport))
      const outcomes = await Promise.all([save(email, 'a@example.com'), save(email, 'b@example.com')])
      expect(outcomes.filter((o) => o.ok)).toHaveLength(1)
    } finally {
      cli.child.kill('SIGTERM')
      await cli.exited
    }
    // What the rehearsal did to the server, as it stops.
    expect(cli.stderr()).toContain('1 requests turned away with 503, 0 dropped unexecuted')
  })
})
