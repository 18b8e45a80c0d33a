import {UsageError} from '../errors.js'
import {FLAG_FIELDS, promptFlagOf, stdinFlagOf} from '../model/account-fields.js'

const MAX_STDIN = 64 * 1024

/** Asks for a secret with a masked prompt (the world's prompter); rejects as a prompt does on Ctrl-C. */
export interface SecretAsker {
  secret(message: string): Promise<string>
}

/**
 * One secret per flag given, in the order given. A `--…-stdin` flag reads a line of stdin, so several can
 * share one pipe: `printf '%s\n%s\n' "$T" "$P" | soemail …`. On a terminal there is no pipe: each is asked
 * for with a masked prompt instead, as a `--…-prompt` flag always is (what was typed is never echoed).
 */
export async function readStdinSecrets(names: string[], stdin: NodeJS.ReadableStream = process.stdin, asker?: SecretAsker): Promise<Map<string, string>> {
  const out = new Map<string, string>()
  if (names.length === 0) return out
  const terminal = Boolean((stdin as {isTTY?: boolean}).isTTY) && asker !== undefined
  const prompted = names.filter((name) => terminal || name.endsWith('-prompt'))
  if (prompted.length > 0 && !terminal) {
    const name = prompted[0] as string
    throw new UsageError(`${name} asks on a terminal, but standard input is not one`, {hint: `Pipe the secret in with ${name.replace(/-prompt$/, '-stdin')}, or give it in its environment variable.`})
  }
  const piped = names.filter((name) => !prompted.includes(name))
  const lines = piped.length > 0 ? await readLines(piped, stdin) : []
  let next = 0
  for (const name of names) {
    if (prompted.includes(name)) out.set(name, await (asker as SecretAsker).secret(labelOf(name)))
    else out.set(name, lines[next++] as string)
  }
  return out
}

async function readLines(names: string[], stdin: NodeJS.ReadableStream): Promise<string[]> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of stdin) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer)
    size += buf.length
    if (size > MAX_STDIN) throw new UsageError(`standard input is larger than ${MAX_STDIN} bytes; ${names.join(', ')} expect one short line each`)
    chunks.push(buf)
  }
  const lines = Buffer.concat(chunks).toString('utf8').split(/\r?\n/)
  return names.map((name, i) => {
    const line = lines[i]
    if (line === undefined || line === '') {
      throw new UsageError(`${name} was given but standard input has no line ${i + 1} for it`, {
        hint: names.length > 1 ? `Give one line per flag, in this order: ${names.join(', ')}.` : undefined,
      })
    }
    return line
  })
}

/** What the prompt asks for: the field's label ("IMAP password"), else the flag's words ("Ticket", "App token"). */
function labelOf(name: string): string {
  const field = FLAG_FIELDS.find((f) => f.secret && (stdinFlagOf(f) === name || promptFlagOf(f) === name))
  if (field?.prompt?.label) return field.prompt.label
  const words = name.replace(/^--/, '').replace(/-(stdin|prompt)$/, '').replaceAll('-', ' ')
  return words.charAt(0).toUpperCase() + words.slice(1)
}
