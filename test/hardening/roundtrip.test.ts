/**
 * Any text in any field of an account either comes back exactly as it was sent — through the envelope
 * builder, real HTTP, the sandbox (schema checks on), its answer and the response parser — or is
 * refused before anything is sent, with an EnvelopeValueError naming the field. Never a malformed
 * envelope (the sandbox would answer with a fault), never a crash, never a silent change.
 *
 * Property-based with a fixed seed (replay a failure with the seed and path fast-check prints), plus
 * the classic troublemakers spelled out, plus one pass through the CLI.
 */
import fc from 'fast-check'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {NetServerClient} from '../../src/soap/client.js'
import {EMailService} from '../../src/soap/email-service.js'
import {EnvelopeValueError} from '../../src/soap/errors.js'
import type {EMailAccount, ServiceAuth} from '../../src/soap/account-model.js'
import {SoapTransport} from '../../src/soap/transport.js'
import {parseJson, runCli} from '../helpers/cli.js'
import {useSandbox} from '../helpers/sandbox.js'

const sandbox = useSandbox({schemaCheck: true})

let transport: SoapTransport
beforeAll(() => {
  transport = new SoapTransport({timeoutMs: 15_000})
})
afterAll(() => transport?.close())

/** A client of its own for one round trip, recording every envelope it hands to the transport. */
function recordingService(): {email: EMailService; sent: string[]} {
  const sent: string[] = []
  const recorder = {
    post: (url: string, action: string, envelope: string) => {
      sent.push(envelope)
      return transport.post(url, action, envelope)
    },
  } as unknown as SoapTransport
  return {email: new EMailService(new NetServerClient({baseUrl: sandbox.current.url, version: '87', ticket: sandbox.current.demoTicket}, recorder)), sent}
}

/** The text fields of an account, with the element path the envelope builder names them by. */
interface HostileFields {
  local: string
  imapServer: string
  imapAuthType: string
  imapUsername: string
  imapPassword: string
  smtpServer: string
  smtpAuthType: string
  smtpUsername: string
  smtpPassword: string
}

const WIRE_PATH: Record<keyof HostileFields, string> = {
  local: 'EMailAddress',
  imapServer: 'IncomingCredentials.Server',
  imapAuthType: 'IncomingCredentials.AuthType',
  imapUsername: 'IncomingCredentials.Username',
  imapPassword: 'IncomingCredentials.Password',
  smtpServer: 'OutgoingCredentials.Server',
  smtpAuthType: 'OutgoingCredentials.AuthType',
  smtpUsername: 'OutgoingCredentials.Username',
  smtpPassword: 'OutgoingCredentials.Password',
}

function toAccount(f: HostileFields): EMailAccount {
  const side = (server: string, authType: string, username: string, password: string, port: number): ServiceAuth => ({server, port, authType, username, password})
  return {
    emailAccountId: 0,
    emailAddress: `${f.local}@example.com`,
    associateId: 5,
    incoming: side(f.imapServer, f.imapAuthType, f.imapUsername, f.imapPassword, 993),
    outgoing: side(f.smtpServer, f.smtpAuthType, f.smtpUsername, f.smtpPassword, 587),
  }
}

/** XML 1.0 §2.2 Char, written out independently of src/soap/xml-chars.ts so the two can disagree. */
function isXmlChar(cp: number): boolean {
  return cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff)
}

function firstIllegalField(f: HostileFields): keyof HostileFields | undefined {
  // Wire order: EMailAddress, then Incoming (Server, AuthType, Username, Password), then Outgoing.
  const order: Array<keyof HostileFields> = ['local', 'imapServer', 'imapAuthType', 'imapUsername', 'imapPassword', 'smtpServer', 'smtpAuthType', 'smtpUsername', 'smtpPassword']
  return order.find((k) => {
    for (const ch of f[k]) if (!isXmlChar(ch.codePointAt(0)!)) return true
    return false
  })
}

/** Only what was sent, as it should come back (ids and server defaults aside). */
function textOf(a: EMailAccount | undefined) {
  const side = (s: ServiceAuth | undefined) => ({server: s?.server, authType: s?.authType, username: s?.username, password: s?.password, port: s?.port})
  return {emailAddress: a?.emailAddress, associateId: a?.associateId, incoming: side(a?.incoming), outgoing: side(a?.outgoing)}
}

/**
 * Sends one account and checks the whole loop. Returns what happened so the property can also count
 * that it exercised both outcomes.
 */
async function roundTrip(f: HostileFields): Promise<'round-trip' | 'refused'> {
  const account = toAccount(f)
  const expected = textOf(account)
  const illegal = firstIllegalField(f)
  const {email, sent} = recordingService()
  let saved: EMailAccount
  try {
    saved = await email.saveEMailAccount(account)
  } catch (error) {
    // The only acceptable failure: refused before sending, naming the first field XML cannot carry.
    if (!(error instanceof EnvelopeValueError)) throw new Error(`unexpected ${(error as Error).name}: ${(error as Error).message}`, {cause: error})
    expect(illegal, `refused a value XML can carry: ${error.message}`).toBeDefined()
    expect(error.field).toBe(`SaveEMailAccount.EMailAccount.${WIRE_PATH[illegal!]}`)
    expect(error.message).toContain(error.field)
    expect(sent, 'a refused value must not reach the server').toEqual([])
    return 'refused'
  }
  expect(illegal, `sent a value XML cannot carry (${illegal}); the sandbox should not have accepted it`).toBeUndefined()
  const id = saved.emailAccountId!
  expect(id).toBeGreaterThan(0)
  // What the save answered, what the sandbox stored (it parsed our envelope), and what a fresh read returns.
  expect(textOf(saved)).toEqual(expected)
  expect(textOf(sandbox.current.accounts().find((a) => a.emailAccountId === id))).toEqual(expected)
  expect(textOf(await email.getEMailAccount(id))).toEqual(expected)
  expect(sent).toHaveLength(2)
  return 'round-trip'
}

// --- generators -----------------------------------------------------------------------------------

/** Pieces that break naive XML, escaping, entity handling or line-end normalisation. */
const NASTY = ['<', '>', '&', '"', "'", ']]>', '<![CDATA[', '-->', '<!--', '&amp;', '&lt;', '&#13;', '&#x26;', '&nbsp;', '&lol9;', '\r', '\n', '\r\n', '\t', ' ', '  ', '\u00a0', '\u0085', '\u2028', '\uFFFD', '😀', '📬', 'æøå', '%s', '\\', '${x}', 'xmlns:a="b"', '</so:Password>']
/** Characters XML 1.0 cannot carry at all: NUL, C0 controls, FFFE/FFFF, lone surrogates. */
const ILLEGAL = ['\u0000', '\u0001', '\u0008', '\u000b', '\u000c', '\u001f', '\uFFFE', '\uFFFF', '\uD800', '\uDFFF']

const piece = fc.oneof(
  {weight: 6, arbitrary: fc.constantFrom(...NASTY)},
  {weight: 6, arbitrary: fc.string({unit: 'grapheme-ascii', maxLength: 6})},
  {weight: 3, arbitrary: fc.string({unit: 'grapheme', maxLength: 3})},
  {weight: 2, arbitrary: fc.string({unit: 'binary', maxLength: 2})},
  {weight: 1, arbitrary: fc.constantFrom(...ILLEGAL)},
)
const hostileText = fc.array(piece, {maxLength: 10}).map((parts) => parts.join('').slice(0, 256))
/** Mostly legal text, so that most runs go the whole way round; illegal characters still turn up. */
const fieldText = fc.oneof({weight: 12, arbitrary: hostileText.filter((t) => [...t].every((c) => isXmlChar(c.codePointAt(0)!)))}, {weight: 1, arbitrary: hostileText})

const hostileFields: fc.Arbitrary<HostileFields> = fc.record({
  local: fieldText,
  imapServer: fieldText,
  imapAuthType: fieldText,
  imapUsername: fieldText,
  imapPassword: fieldText,
  smtpServer: fieldText,
  smtpAuthType: fieldText,
  smtpUsername: fieldText,
  smtpPassword: fieldText,
})

const plain: HostileFields = {local: 'jane.doe', imapServer: 'imap.example.com', imapAuthType: 'plain', imapUsername: 'jane', imapPassword: 'pw-in', smtpServer: 'smtp.example.com', smtpAuthType: 'plain', smtpUsername: 'jane', smtpPassword: 'pw-out'}

// --- tests ----------------------------------------------------------------------------------------

describe('any text either round-trips exactly or is refused before sending', () => {
  it.concurrent.each([
    ['XML specials', `<&>"'`],
    ['a CDATA terminator', ']]>'],
    ['CR, LF, CRLF and tab', 'a\rb\nc\r\nd\te'],
    ['a lone CR at the end', 'end\r'],
    ['leading and trailing spaces', '   padded   '],
    ['only whitespace', ' \t\r\n '],
    ['emoji (astral plane)', '📬😀👩‍👩‍👧'],
    ['256 characters', 'x'.repeat(255) + '€'],
    ['an escaped-looking ampersand', '&amp;'],
    ['an undeclared entity', '&nbsp;'],
    ['character references', '&#13;&#x26;&#60;'],
    ['U+FFFD', '\uFFFD'],
    ['the empty string', ''],
    ['markup that closes the secret element', '</so:Password><so:Password>'],
  ])('%s in every text field round-trips', async (_label, text) => {
    const f = Object.fromEntries(Object.keys(plain).map((k) => [k, text])) as unknown as HostileFields
    expect(await roundTrip(f)).toBe('round-trip')
  })

  it.concurrent.each([
    ['NUL', '\u0000', 'imapPassword'],
    ['a C0 control', 'bell\u0007', 'smtpUsername'],
    ['U+FFFE', '\uFFFE', 'imapServer'],
    ['U+FFFF', 'x\uFFFF', 'smtpAuthType'],
    ['a lone high surrogate', 'a\uD83D', 'local'],
    ['a lone low surrogate', '\uDCA9b', 'smtpPassword'],
  ] as const)('%s is refused before sending, naming the field', async (_label, text, field) => {
    expect(await roundTrip({...plain, [field]: text})).toBe('refused')
  })

  it('holds for generated text in every field (fast-check, fixed seed)', async () => {
    const seen = {'round-trip': 0, refused: 0}
    // Three accounts at a time: the sandbox's schema checks run in worker threads, so they overlap.
    await fc.assert(
      fc.asyncProperty(fc.array(hostileFields, {minLength: 3, maxLength: 3}), async (batch) => {
        for (const outcome of await Promise.all(batch.map(roundTrip))) seen[outcome]++
      }),
      {seed: 20240606, numRuns: 14, endOnFailure: true},
    )
    // Both outcomes were exercised, or the property proved less than it claims.
    expect(seen['round-trip']).toBeGreaterThan(20)
    expect(seen.refused).toBeGreaterThan(0)
    // About 0.3 s a run (two schema-checked requests); generous for a loaded CI machine.
  }, 180_000)
})

describe('through the CLI', () => {
  const env = () => ({SOEMAIL_URL: sandbox.current.url, SOEMAIL_TICKET: sandbox.current.demoTicket})
  // Flags cannot carry NUL, stdin lines cannot carry a line break, and a host name has no spaces; within that, anything goes.
  const values = {
    email: `o'brien+<&>"]]>&amp;\uFFFD😀@example.com`,
    imapServer: 'imap.<&>"\'.example.com',
    imapAuthType: ' plain & <OAuth> ]]> ',
    imapUsername: '\tuser&amp;name\u00a0😀 ',
    imapPassword: ' pw\r\n<&>"\']]>&#13;\t😀\uFFFD ',
    smtpServer: 'smtp.example.com',
    smtpAuthType: '&nbsp;',
    smtpUsername: 'u'.repeat(256),
    smtpPassword: `  <&>"']]>&amp;\t😀 \uFFFD\r  `,
  }

  it('account save with hostile values from flags, the environment and stdin; account get --json --show-secrets returns them exactly', async () => {
    const save = await runCli(
      [
        'account', 'save', '--json',
        '--email', values.email, '--associate', '5',
        '--imap-server', values.imapServer, `--imap-auth-type=${values.imapAuthType}`, `--imap-username=${values.imapUsername}`,
        '--smtp-server', values.smtpServer, '--smtp-auth-type', values.smtpAuthType, '--smtp-username', values.smtpUsername, '--smtp-password-stdin',
      ],
      {env: {...env(), SOEMAIL_IMAP_PASSWORD: values.imapPassword}, input: `${values.smtpPassword}\n`},
    )
    expect(save.code, save.stdout + save.stderr).toBe(0)
    const id = (parseJson(save.stdout).result as {account: {id: number}}).account.id
    const get = await runCli(['account', 'get', String(id), '--json', '--show-secrets'], {env: env()})
    expect(get.code, get.stderr).toBe(0)
    // Exactly, but for the one trimming rule (trimValue): whitespace around a non-secret value is dropped, as
    // in an import cell; what is inside it (the NBSP before 😀) and every character of a password are kept.
    expect(parseJson(get.stdout).result).toMatchObject({
      id,
      email: values.email,
      associateId: 5,
      imap: {server: values.imapServer, authType: 'plain & <OAuth> ]]>', username: 'user&amp;name\u00a0😀', password: values.imapPassword},
      smtp: {server: values.smtpServer, authType: values.smtpAuthType, username: values.smtpUsername, password: values.smtpPassword},
    })
  })

  it('a value XML cannot carry exits 3 naming the flag, and nothing is sent', async () => {
    const before = sandbox.current.stats().requests
    const res = await runCli(
      ['account', 'save', '--json', '--email', 'ctl@example.com', '--associate', '5', '--imap-server', 'imap.example.com', '--smtp-server', 'smtp.example.com', '--smtp-password', 'ok'],
      {env: {...env(), SOEMAIL_IMAP_PASSWORD: 'bell\u0007pw'}},
    )
    expect(res.code, res.stdout + res.stderr).toBe(3)
    const error = parseJson(res.stdout).error!
    expect(error.code).toBe('VALIDATION_FAILED')
    expect(error.details).toEqual([expect.objectContaining({field: '--imap-password', message: expect.stringContaining('U+0007')})])
    expect(res.stdout + res.stderr).not.toContain('bell')
    expect(sandbox.current.stats().requests).toBe(before)
  })
})
