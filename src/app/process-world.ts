import type {ChalkInstance} from 'chalk'
import {openSession} from './connector.js'
import type {Output, Prompter, Signals, World} from './world.js'

export interface ProcessWorldOptions {
  configDir: string
  json: boolean
}

/** The world of a real run: the process's streams, terminal, signals, environment and keychain. */
export async function processWorld(options: ProcessWorldOptions): Promise<World & {close(): void}> {
  const [{stdoutStyle, stderrStyle}, {openFileStore}] = await Promise.all([import('../output/style.js'), import('../keychain/file-store.js')])
  const env = process.env
  const sessions = {
    configDir: options.configDir,
    env,
    // The keychain's D-Bus client is loaded only when a command reads or writes the keychain: a ticket
    // from SOEMAIL_TICKET or a flag never needs it.
    openKeychain: async () => (await import('../keychain/store.js')).openKeychain({env}),
    openFileStore,
  }
  const stdout = output(process.stdout, stdoutStyle())
  const stderr = output(process.stderr, stderrStyle())
  const opened: Array<{close(): void}> = []
  return {
    stdout,
    stderr,
    stdin: process.stdin,
    interactive: Boolean(process.stdin.isTTY && process.stdout.isTTY) && !options.json,
    json: options.json,
    prompter: inquirerPrompter,
    connect: (flags, options) => openSession({sessions, stdin: process.stdin, asker: inquirerPrompter, trace: (line) => stderr.write(line), note: (m) => stderr.write(`${m}\n`), opened}, flags, options),
    clock: {now: () => new Date()},
    signals: processSignals,
    env,
    configDir: options.configDir,
    sessions,
    close: () => {
      for (const c of opened.splice(0)) c.close()
    },
  }
}

function output(stream: NodeJS.WriteStream, style: ChalkInstance): Output {
  return {write: (text) => void stream.write(text), isTTY: Boolean(stream.isTTY), color: style.level > 0, style}
}

// Prompts write to stderr so that stdout carries only the result, even on a terminal.
const inquirerPrompter: Prompter = {
  confirm: async (message, defaultAnswer) => (await import('@inquirer/prompts')).confirm({message, default: defaultAnswer}, {output: process.stderr}),
  accountFields: async (given, helpers) => (await import('../prompts/account-prompts.js')).promptForMissing(given, helpers),
  login: async (flags, plan) => (await import('../prompts/login-prompts.js')).promptLogin(flags, plan),
  secret: async (message) => (await import('../prompts/secret-prompt.js')).promptSecret(message),
}

const processSignals: Signals = {
  on: (signal, listener) => void process.on(signal, listener),
  off: (signal, listener) => void process.removeListener(signal, listener),
  resend: (signal) => void process.kill(process.pid, signal),
}
