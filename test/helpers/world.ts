import {EventEmitter} from 'node:events'
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {Readable} from 'node:stream'
import {Chalk} from 'chalk'
import {afterEach} from 'vitest'
import {openSession} from '../../src/app/connector.js'
import {CHECKS_OFF} from './cli.js'
import type {Output, Prompter, SignalName, World} from '../../src/app/world.js'
import type {AccountInput} from '../../src/accounts/input.js'
import type {LoginFlags} from '../../src/sessions/login-plan.js'
import {openFileStore} from '../../src/keychain/file-store.js'
import type {SecretKind, SecretStore} from '../../src/keychain/secret-store.js'
import type {Sandbox} from '../../src/sandbox/server.js'

/** An output that keeps what was written. */
export interface MemoryOutput extends Output {
  text(): string
}

export function memoryOutput(isTTY = false): MemoryOutput {
  let text = ''
  return {write: (t) => void (text += t), isTTY, color: false, style: new Chalk({level: 0}), text: () => text}
}

/** Answers given in order; a question nobody scripted fails the test. */
export interface ScriptedAnswers {
  confirm?: boolean[]
  accountFields?: (given: AccountInput) => AccountInput
  login?: (flags: LoginFlags) => LoginFlags
  secret?: string[]
}

export class ScriptedPrompter implements Prompter {
  readonly asked: string[] = []
  constructor(private readonly answers: ScriptedAnswers = {}) {}

  async confirm(message: string): Promise<boolean> {
    this.asked.push(message)
    const answer = this.answers.confirm?.shift()
    if (answer === undefined) throw new Error(`unexpected question: ${message}`)
    return answer
  }

  async accountFields(given: AccountInput): Promise<AccountInput> {
    this.asked.push('account fields')
    if (!this.answers.accountFields) throw new Error('unexpected prompt for account fields')
    return this.answers.accountFields(given)
  }

  async login(flags: LoginFlags): Promise<LoginFlags> {
    this.asked.push('login')
    if (!this.answers.login) throw new Error('unexpected login prompt')
    return this.answers.login(flags)
  }

  async secret(message: string): Promise<string> {
    this.asked.push(message)
    const answer = this.answers.secret?.shift()
    if (answer === undefined) throw new Error(`unexpected secret prompt: ${message}`)
    return answer
  }
}

/** Signals a test sends by hand, as Ctrl-C would. */
export class FakeSignals {
  private readonly emitter = new EventEmitter()
  readonly resent: SignalName[] = []
  on(signal: SignalName, listener: () => void): void {
    this.emitter.on(signal, listener)
  }
  off(signal: SignalName, listener: () => void): void {
    this.emitter.off(signal, listener)
  }
  resend(signal: SignalName): void {
    this.resent.push(signal)
  }
  send(signal: SignalName): void {
    this.emitter.emit(signal)
  }
  listeners(signal: SignalName): number {
    return this.emitter.listenerCount(signal)
  }
}

/** A keychain in memory, for profiles a test logs in to. */
export class MemoryKeychain implements SecretStore {
  readonly kind = 'keychain'
  readonly location = 'memory keychain'
  readonly items = new Map<string, string>()
  async get(profile: string, secret: SecretKind) {
    return this.items.get(`${profile}/${secret}`)
  }
  async set(profile: string, secret: SecretKind, value: string) {
    this.items.set(`${profile}/${secret}`, value)
  }
  async delete(profile: string, secret: SecretKind) {
    return this.items.delete(`${profile}/${secret}`)
  }
}

export interface TestWorld extends World {
  stdout: MemoryOutput
  stderr: MemoryOutput
  prompter: ScriptedPrompter
  signals: FakeSignals
  keychain: MemoryKeychain
  close(): void
}

export interface TestWorldOptions {
  env?: NodeJS.ProcessEnv
  stdin?: string
  interactive?: boolean
  json?: boolean
  answers?: ScriptedAnswers
  configDir?: string
  now?: Date
}

/** A world in memory: no terminal unless asked for, no process streams, the real connection code. */
export function testWorld(options: TestWorldOptions = {}): TestWorld {
  // As for the CLI tests (cli.ts CHECKS_OFF): no login test, no DNS, unless a test asks for them.
  const env: NodeJS.ProcessEnv = {...CHECKS_OFF, ...options.env}
  const configDir = options.configDir ?? mkdtempSync(join(tmpdir(), 'soemail-world-'))
  const keychain = new MemoryKeychain()
  const sessions = {configDir, env, openKeychain: async () => keychain, openFileStore}
  const stdout = memoryOutput(options.interactive)
  const stderr = memoryOutput(options.interactive)
  const stdin = Readable.from(options.stdin === undefined ? [] : [Buffer.from(options.stdin)])
  const opened: Array<{close(): void}> = []
  return {
    stdout,
    stderr,
    stdin,
    interactive: options.interactive ?? false,
    json: options.json ?? false,
    prompter: new ScriptedPrompter(options.answers),
    connect: (flags, options) => openSession({sessions, stdin, trace: (line) => stderr.write(line), note: (m) => stderr.write(`${m}\n`), opened}, flags, options),
    clock: {now: () => options.now ?? new Date()},
    signals: new FakeSignals(),
    env,
    configDir,
    sessions,
    keychain,
    close: () => {
      for (const c of opened.splice(0)) c.close()
    },
  }
}

/** The connection flags a command gets when none is given (oclif's defaults). */
export const NO_FLAGS = {timeout: 30}

/**
 * A maker of worlds for one test file; each is closed after its test. With `sandbox`, the world connects to
 * it through SOEMAIL_URL and SOEMAIL_TICKET (the demo user), unless the options' env says otherwise.
 */
export function useWorlds(sandbox?: {readonly current: Sandbox}): (options?: TestWorldOptions) => TestWorld {
  const worlds: TestWorld[] = []
  afterEach(() => worlds.splice(0).forEach((w) => w.close()))
  return (options = {}) => {
    const env = sandbox ? {SOEMAIL_URL: sandbox.current.url, SOEMAIL_TICKET: sandbox.current.demoTicket, ...options.env} : options.env
    const w = testWorld({...options, env})
    worlds.push(w)
    return w
  }
}
