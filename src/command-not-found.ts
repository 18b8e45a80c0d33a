import type {Hook} from '@oclif/core'
import {distance} from 'fastest-levenshtein'
import {ExitCode} from './errors.js'

/**
 * An unknown command is a usage error like any other (exit 2), in the same shapes: with --json one JSON
 * error envelope on stdout, the suggestion in `details`; otherwise two lines on stderr. It replaces
 * @oclif/plugin-not-found, which exits 127, prints no JSON and asks "Did you mean…?" on a terminal -
 * a prompt that would run a command the user did not type.
 */

/** The command the typed words most likely meant: the closest id over as many words as each id has. */
export function suggestCommand(typed: readonly string[], ids: readonly string[]): string | undefined {
  let best: {id: string; score: number} | undefined
  for (const id of ids) {
    const words = id.split(':')
    const head = typed.slice(0, words.length).join(':')
    const d = distance(head, id)
    // Close enough to be a typo: a third of the name, and at least two edits for short names.
    if (d > Math.max(2, Math.floor(id.length / 3))) continue
    const score = d - words.length * 0.01
    if (!best || score < best.score) best = {id, score}
  }
  return best?.id
}

export const COMMAND_NOT_FOUND: Hook.CommandNotFound = async function (opts) {
  const ids = opts.config.commands.filter((c) => !c.hidden).map((c) => c.id).sort()
  const typed = opts.id.split(':')
  const suggestion = suggestCommand(typed, ids)
  const spaced = (id: string) => id.replaceAll(':', ' ')
  const command = typed.slice(0, suggestion ? suggestion.split(':').length : 1).join(' ')
  const message = `"${command}" is not a soemail command`
  const hint = `${suggestion ? `Did you mean "soemail ${spaced(suggestion)}"? ` : ''}Run soemail help for the list of commands.`
  if ((opts.argv ?? []).includes('--json') || typed.includes('--json')) {
    const details = {command, suggestion: suggestion ? spaced(suggestion) : null, commands: ids.map(spaced)}
    process.stdout.write(`${JSON.stringify({status: ExitCode.USAGE, error: {code: 'UNKNOWN_COMMAND', message, hint, details}}, null, 2)}\n`)
  } else {
    process.stderr.write(`Error: ${message}\n${hint}\n`)
  }
  this.exit(ExitCode.USAGE)
}
