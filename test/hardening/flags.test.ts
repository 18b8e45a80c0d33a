/**
 * Every flag with a bad value: exit 2 and a message naming the flag (and, for a flag with a fixed set of
 * values, every allowed value). The cases come from oclif.manifest.json, so a new command or flag is
 * covered without touching this file:
 *   - option flags with `options`: a value outside the set;
 *   - integer flags: a number outside min/max, or a word when unbounded;
 *   - boolean flags given a value (`--yes=maybe`, `--no-x=maybe`, `-y=maybe`): oclif would otherwise
 *     take the value as the next argument, so `account delete --yes=42` would delete account 42.
 * The manifest does not record which option flags are integers, so each flag's parser is asked.
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'
import {describe, expect, it} from 'vitest'
import {parseJson, ROOT, runCli} from '../helpers/cli.js'

interface ManifestFlag {
  name: string
  type: 'boolean' | 'option'
  char?: string
  options?: string[]
  allowNo?: boolean
  multiple?: boolean
}
interface ManifestCommand {
  flags: Record<string, ManifestFlag>
  args: Record<string, {name: string; required?: boolean}>
}
interface BuiltFlag {
  parse?: (input: string, ctx: unknown, opts: unknown) => Promise<unknown>
  min?: number
  max?: number
}

const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as {commands: Record<string, ManifestCommand>}

/** A command's flag definitions from its source (manifest entries carry no parser; test/cli/manifest.test.ts keeps the two in step). */
async function builtFlags(id: string): Promise<Record<string, BuiltFlag>> {
  const mod = (await import(pathToFileURL(join(ROOT, 'src', 'commands', ...id.split(':')) + '.ts').href)) as {default: {flags?: Record<string, BuiltFlag>; baseFlags?: Record<string, BuiltFlag>}}
  return {...mod.default.baseFlags, ...mod.default.flags}
}

/** An integer flag is one whose parser turns "7" into the number 7 and refuses a word. */
async function integerBounds(flag: BuiltFlag | undefined): Promise<{min?: number; max?: number} | undefined> {
  if (!flag?.parse) return undefined
  const seven = await flag.parse('7', {}, {...flag, min: undefined, max: undefined}).catch(() => undefined)
  if (seven !== 7) return undefined
  const word = await flag.parse('seven', {}, flag).then(() => 'accepted', () => 'refused')
  return word === 'refused' ? {min: flag.min, max: flag.max} : undefined
}

interface Case {
  id: string
  flag: string
  /** The argv piece(s) with the bad value. */
  argv: string[]
  /** What the message must contain besides the flag name. */
  mentions: string[]
  kind: 'options' | 'integer' | 'boolean'
}

const BAD_BOOLEAN = 'maybe-not'
const cases: Case[] = []
for (const [id, cmd] of Object.entries(manifest.commands)) {
  const built = await builtFlags(id)
  for (const flag of Object.values(cmd.flags)) {
    const name = flag.name
    if (flag.type === 'boolean') {
      cases.push({id, flag: name, argv: [`--${name}=${BAD_BOOLEAN}`], mentions: [BAD_BOOLEAN], kind: 'boolean'})
      if (flag.allowNo) cases.push({id, flag: `no-${name}`, argv: [`--no-${name}=${BAD_BOOLEAN}`], mentions: [BAD_BOOLEAN], kind: 'boolean'})
      if (flag.char) cases.push({id, flag: name, argv: [`-${flag.char}=${BAD_BOOLEAN}`], mentions: [BAD_BOOLEAN, `-${flag.char}`], kind: 'boolean'})
      continue
    }
    if (flag.options) {
      cases.push({id, flag: name, argv: [`--${name}`, 'bogus-value'], mentions: ['bogus-value', ...flag.options], kind: 'options'})
      continue
    }
    const bounds = await integerBounds(built[name])
    if (!bounds) continue
    // One bad value per flag keeps the run short: outside the bounds when it has them (that check is
    // the flag's own), else not a number at all.
    const outside = bounds.min !== undefined ? String(bounds.min - 1) : bounds.max !== undefined ? String(bounds.max + 1) : 'twelve'
    cases.push({id, flag: name, argv: [`--${name}=${outside}`], mentions: [outside], kind: 'integer'})
  }
}

/** Required arguments get a harmless value, so the bad flag is the only problem on the line. */
function argsFor(id: string): string[] {
  return Object.values(manifest.commands[id]!.args ?? {}).filter((a) => a.required).map(() => '1')
}

describe('the cases come from the manifest', () => {
  it('covers every command, and finds the known option, integer and boolean flags', () => {
    expect(new Set(cases.map((c) => c.id))).toEqual(new Set(Object.keys(manifest.commands)))
    const has = (id: string, flag: string, kind: Case['kind']) => cases.some((c) => c.id === id && c.flag === flag && c.kind === kind)
    expect(has('account:get', 'api-version', 'options')).toBe(true)
    expect(has('account:import', 'output', 'options')).toBe(true)
    for (const [id, flag] of [['account:save', 'imap-port'], ['doctor', 'timeout'], ['sandbox', 'port'], ['account:import', 'retries']]) {
      expect(has(id!, flag!, 'integer'), `${id} --${flag} is an integer flag`).toBe(true)
    }
    expect(has('account:delete', 'yes', 'boolean')).toBe(true)
    expect(has('sandbox', 'no-schema-check', 'boolean')).toBe(true)
    // Strings are free text: no case is made up for them.
    expect(cases.some((c) => c.flag === 'url' || c.flag === 'imap-password')).toBe(false)
  })
})

describe.concurrent('every flag with a bad value exits 2 naming the flag', () => {
  it.each(cases.map((c) => [`${c.id.replace(':', ' ')} ${c.argv.join(' ')}`, c] as const))('%s', async (_title, c) => {
    const json = c.flag !== 'json'
    const argv = [...c.id.split(':'), ...argsFor(c.id), ...c.argv, ...(json ? ['--json'] : [])]
    const res = await runCli(argv, {timeoutMs: 20_000})
    expect(res.code, `${argv.join(' ')}\n${res.stdout}${res.stderr}`).toBe(2)
    let message: string
    if (json) {
      const out = parseJson(res.stdout)
      expect(out).toMatchObject({status: 2, error: {code: 'USAGE'}})
      message = out.error!.message
    } else {
      message = res.stderr
    }
    expect(message).toContain(`--${c.flag}`)
    for (const m of c.mentions) expect(message).toContain(m)
    expect(message, 'the parser context (paths, package.json) stays out of the message').not.toMatch(/package\.json|node_modules/)
  })
})
