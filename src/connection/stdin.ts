import {UsageError} from '../errors.js'

const MAX_STDIN = 64 * 1024

/**
 * Reads stdin once and hands out one line per secret asked for, in the order given. Several
 * --…-stdin flags can then share one pipe: `printf '%s\n%s\n' "$T" "$P" | soemail …`.
 */
export async function readStdinSecrets(names: string[], stdin: NodeJS.ReadableStream = process.stdin): Promise<Map<string, string>> {
  const out = new Map<string, string>()
  if (names.length === 0) return out
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of stdin) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer)
    size += buf.length
    if (size > MAX_STDIN) throw new UsageError(`standard input is larger than ${MAX_STDIN} bytes; ${names.join(', ')} expect one short line each`)
    chunks.push(buf)
  }
  const lines = Buffer.concat(chunks).toString('utf8').split(/\r?\n/)
  names.forEach((name, i) => {
    const line = lines[i]
    if (line === undefined || line === '') {
      throw new UsageError(`${name} was given but standard input has no line ${i + 1} for it`, {
        hint: names.length > 1 ? `Give one line per flag, in this order: ${names.join(', ')}.` : undefined,
      })
    }
    out.set(name, line)
  })
  return out
}
