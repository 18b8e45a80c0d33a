import type {ChalkInstance} from 'chalk'
import type {Associate} from '../accounts/associates.js'
import type {AccountInput} from '../accounts/input.js'
import type {Suggestions} from '../providers/fill.js'
import type {Connection} from '../connection/connect.js'
import type {ConnectionFlagValues} from '../flags.js'
import type {LoginFlags, LoginPlan} from '../sessions/login-plan.js'
import type {ResolvedSession, SessionContext} from '../sessions/session.js'

/**
 * Everything a run function touches outside itself. BaseCommand builds it from the process once;
 * tests build it from memory, so a command runs in-process with no terminal and no global state.
 */
export interface World {
  stdout: Output
  stderr: Output
  /** Where --…-stdin secrets and a CSV given as - are read from. */
  stdin: NodeJS.ReadableStream
  /** Prompts only when a person can answer: both ends on a terminal, and not in --json mode. */
  interactive: boolean
  /** --json: text output is left out; BaseCommand prints the returned result. */
  json: boolean
  prompter: Prompter
  /** Resolves the session (flag > env > profile) and opens a connection under the call policy. */
  connect(flags: ConnectionFlagValues & {trace?: boolean}, options?: SessionOptions): Promise<CommandSession>
  clock: Clock
  signals: Signals
  env: NodeJS.ProcessEnv
  configDir: string
  /** The keychain and file stores, opened only when needed. */
  sessions: SessionContext
}

export interface Output {
  write(text: string): void
  isTTY: boolean
  /** Colours on: a terminal, and NO_COLOR unset. */
  color: boolean
  style: ChalkInstance
}

export interface Prompter {
  confirm(message: string, defaultAnswer: boolean): Promise<boolean>
  /** Asks for the account fields the flags did not give; `searchAssociates` lets the owner's prompt search as one types. */
  accountFields(given: AccountInput, helpers?: PromptHelpers): Promise<AccountInput>
  /** Asks for what a login still lacks. */
  login(flags: LoginFlags, plan: LoginPlan): Promise<LoginFlags>
  /** A secret named by a --…-stdin flag on a terminal, or a --…-prompt flag: masked, never echoed. */
  secret(message: string): Promise<string>
}

export interface PromptHelpers {
  /** Users matching what was typed so far (user name, e-mail or name). */
  searchAssociates?: (text: string) => Promise<Associate[]>
  /** The servers --provider or detection suggests for an address, offered as the prompts' defaults. */
  suggestServers?: (email: string) => Promise<Suggestions | undefined>
}

export interface Clock {
  now(): Date
}

export type SignalName = 'SIGINT' | 'SIGTERM'

export interface Signals {
  on(signal: SignalName, listener: () => void): void
  off(signal: SignalName, listener: () => void): void
  /** Delivers the signal again with no listener of ours left: the default action (exit) follows. */
  resend(signal: SignalName): void
}

export interface SessionOptions {
  /** The ticket line, when the command reads standard input itself (save takes passwords from it too). */
  stdinTicket?: string
  /** A bulk run: its runner retries each row and renews the ticket itself, so single requests are not retried. */
  bulk?: boolean
}

/** A connection for one command, with its calls under the one call policy. */
export interface CommandSession extends Connection {
  session: ResolvedSession
  /** Runs a unit of work against the server; wire failures become user errors; a rejected ticket is renewed once. */
  call<T>(fn: () => Promise<T>): Promise<T>
  /** Renews a rejected ticket once per command; false when it cannot. */
  renewTicket(): Promise<boolean>
}

/** A line on stdout (results only). */
export function log(world: World, text: string): void {
  world.stdout.write(`${text}\n`)
}

/** A line on stderr: progress, notices and prompts never mix with results on stdout. */
export function note(world: World, text: string): void {
  world.stderr.write(`${text}\n`)
}
