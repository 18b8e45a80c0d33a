/**
 * Malformed and hostile server answers, end to end: the built CLI runs `account get 1 --json` against a
 * server on 127.0.0.1 that misbehaves in one way per scenario. Each must end promptly with the right
 * exit code, one clear line naming the URL, and the documented JSON error shape — never a crash, a
 * hang, a silent success, or gigabytes of memory.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {parseJson, runCli, type CliResult} from '../helpers/cli.js'
import {
  FOREIGN_ENVELOPE,
  FOREIGN_NAMESPACE,
  GOOD_ANSWER,
  hugeBody,
  LOGIN_PAGE,
  MULTILINE_FAULT,
  NO_SUCCEEDED,
  reply,
  slowDrip,
  startHostileServer,
  XML_BOMB,
  type HostileServer,
} from '../helpers/hostile-server.js'

const HUGE = 50 * 1024 * 1024
/** "Promptly": well below the runner's 25 s kill, with room for several CLIs starting at once on a small CI machine. */
const PROMPT_MS = 10_000
const TEST_MS = 60_000

let server: HostileServer
beforeAll(async () => {
  server = await startHostileServer({
    good: reply(200, GOOD_ANSWER),
    truncated: reply(200, GOOD_ANSWER.slice(0, Math.floor(GOOD_ANSWER.length / 2))),
    'foreign-namespace': reply(200, FOREIGN_NAMESPACE),
    'foreign-envelope': reply(200, FOREIGN_ENVELOPE),
    'no-succeeded': reply(200, NO_SUCCEEDED),
    huge: hugeBody(HUGE),
    bomb: reply(200, XML_BOMB),
    html: reply(200, LOGIN_PAGE, {'content-type': 'text/html; charset=utf-8'}),
    redirect: (res) => {
      res.writeHead(302, {location: `${server.origin}/adfs/ls/?wa=wsignin1.0&wreply=SuperOffice`, 'content-type': 'text/html'})
      res.end('<html><body>Object moved</body></html>')
    },
    'slow-drip': slowDrip(200),
    empty: reply(200, ''),
    fault: reply(500, MULTILINE_FAULT),
    unauthorized: reply(401, '', {'www-authenticate': 'Negotiate'}),
    forbidden: reply(403, '<html><head><title>403 - Forbidden</title></head></html>', {'content-type': 'text/html'}),
  })
})
afterAll(async () => {
  await server?.close()
})

interface Run extends CliResult {
  ms: number
}

async function getAccount(scenario: string, extra: string[] = [], env: Record<string, string> = {}): Promise<Run> {
  const started = Date.now()
  const res = await runCli(['account', 'get', '1', '--url', server.url(scenario), ...extra], {env: {SOEMAIL_TICKET: '7T:hostile-test', ...env}, timeoutMs: 25_000})
  return {...res, ms: Date.now() - started}
}

/** The documented --json error shape, a one-line message naming the endpoint, and nothing else on stdout. */
function expectErrorShape(res: Run, scenario: string, exit: number): {code: string; message: string; hint?: string; details?: unknown} {
  expect(res.code, res.stdout + res.stderr).toBe(exit)
  const json = parseJson(res.stdout)
  expect(Object.keys(json).sort()).toEqual(['error', 'status'])
  expect(json.status).toBe(exit)
  const error = json.error!
  expect(Object.keys(error).every((k) => ['code', 'message', 'hint', 'details'].includes(k)), Object.keys(error).join()).toBe(true)
  expect(typeof error.code).toBe('string')
  expect(error.message).toContain(`${server.url(scenario)}/Remote/Services87/EMail.svc`)
  // No line breaks, and no control characters (ESC, CSI) that a terminal would act on.
  expect(error.message).not.toMatch(/\p{Cc}/u)
  if (error.hint !== undefined) expect(typeof error.hint).toBe('string')
  // Nothing but the JSON document: no stack trace, no oclif dump on either stream.
  expect(res.stderr).not.toMatch(/\n\s+at /)
  return error
}

describe('the hostile server itself', () => {
  it('answers a well-formed NetServer reply that the CLI accepts (so the failures below are the scenarios, not the set-up)', async () => {
    const res = await getAccount('good', ['--json'])
    expect(res.code, res.stderr).toBe(0)
    expect(parseJson(res.stdout).result).toMatchObject({id: 101, email: 'jane.doe@example.com'})
  })
})

describe.concurrent('malformed answers at the CLI level', () => {
  it.each([
    ['truncated', 'BAD_RESPONSE', /not well-formed XML/],
    ['foreign-namespace', 'BAD_RESPONSE', /namespace "http:\/\/example\.com\/not-netserver".*expected "http:\/\/www\.superoffice\.net\/ws\/crm\/NetServer\/Services87"/],
    ['foreign-envelope', 'BAD_RESPONSE', /not a SOAP 1\.1 Envelope/],
    ['no-succeeded', 'BAD_RESPONSE', /without the Succeeded header/],
    ['html', 'BAD_RESPONSE', /HTML page \("SuperOffice CRM - Sign in"\)/],
    ['redirect', 'BAD_RESPONSE', /redirected \(HTTP 302\) to http:\/\/127\.0\.0\.1:\d+\/adfs\/ls\//],
    ['empty', 'BAD_RESPONSE', /empty body/],
    ['fault', 'SOAP_FAULT', /SOAP fault s:Server\): The server was unable to process the request due to an internal error\. .*See the server logs\./],
  ] as const)('%s: exit 7 (%s), one line naming the URL', async (scenario, code, message) => {
    const res = await getAccount(scenario, ['--json'])
    const error = expectErrorShape(res, scenario, 7)
    expect(error.code).toBe(code)
    expect(error.message).toMatch(message)
    expect(res.ms).toBeLessThan(PROMPT_MS)
    // Not a transient problem: asked once, not retried.
    expect(server.stats(scenario).requests).toBe(1)
  }, TEST_MS)

  it.each([
    ['unauthorized', 401],
    ['forbidden', 403],
  ] as const)('%s (HTTP %i): exit 4, the ticket was refused, with the way to a new one', async (scenario, status) => {
    const res = await getAccount(scenario, ['--json'])
    const error = expectErrorShape(res, scenario, 4)
    expect(error.code).toBe('TICKET_REJECTED')
    expect(error.message).toContain(`HTTP ${status}`)
    expect(error.hint).toMatch(/soemail login/)
    expect(res.stdout).not.toContain('7T:hostile-test')
  }, TEST_MS)

  it('a 50 MB body: the client stops reading at its cap and says so', async () => {
    const res = await getAccount('huge', ['--json'])
    const error = expectErrorShape(res, 'huge', 7)
    expect(error.code).toBe('BAD_RESPONSE')
    expect(error.message).toMatch(/larger than \d+ bytes; refusing to read it/)
    const stats = server.stats('huge')
    // It hung up: the server could not write the whole body, and never got a second request for it.
    expect(stats.clientGaveUp).toBe(true)
    expect(stats.bytesSent).toBeLessThan(HUGE * 0.6)
    expect(stats.requests).toBe(1)
    expect(res.ms).toBeLessThan(PROMPT_MS)
  }, TEST_MS)

  it('an XML bomb is refused without expansion, inside a 64 MB heap', async () => {
    // Expanded, the answer would be 3 GB: under this cap Node would abort (exit 134) instead of exiting 7.
    const res = await getAccount('bomb', ['--json'], {NODE_OPTIONS: '--max-old-space-size=64'})
    const error = expectErrorShape(res, 'bomb', 7)
    expect(error.code).toBe('BAD_RESPONSE')
    expect(error.message).toMatch(/document type declarations are not accepted/)
    expect(res.ms).toBeLessThan(PROMPT_MS)
  }, TEST_MS)

  it('a slow drip (a byte every 200 ms) hits --timeout 2 and says it timed out', async () => {
    const res = await getAccount('slow-drip', ['--json', '--timeout', '2'])
    const error = expectErrorShape(res, 'slow-drip', 7)
    expect(error.code).toBe('NETWORK_ERROR')
    expect(error.message).toMatch(/timed out after 2000 ms waiting for the answer/)
    // A read may be retried (twice) with back-off; each attempt stops at the 2 s timeout.
    const {requests} = server.stats('slow-drip')
    expect(requests).toBeLessThanOrEqual(3)
    expect(res.ms).toBeLessThan(requests * 2000 + PROMPT_MS)
  }, TEST_MS)
})

describe('without --json', () => {
  it('the same failure is one "Error:" line naming the URL, a hint, and nothing on stdout', async () => {
    const res = await getAccount('no-succeeded')
    expect(res.code).toBe(7)
    expect(res.stdout).toBe('')
    const lines = res.stderr.trimEnd().split('\n')
    expect(lines).toHaveLength(2)
    expect(lines[0]).toMatch(/^Error: .*\/no-succeeded\/SuperOffice\/Remote\/Services87\/EMail\.svc answered GetEMailAccount without the Succeeded header/)
  })

  it('server text cannot move the cursor or recolour the terminal', async () => {
    const res = await getAccount('fault')
    expect(res.code).toBe(7)
    expect(res.stderr).not.toMatch(/(?!\n)\p{Cc}/u)
    expect(res.stderr.split('\n')[0]).toMatch(/^Error: .*SOAP fault s:Server.*See the server logs\.$/)
  })
})
