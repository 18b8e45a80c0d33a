import {readFileSync, readdirSync, statSync} from 'node:fs'
import {join, relative} from 'node:path'
import {pathToFileURL} from 'node:url'
import {describe, expect, it} from 'vitest'
import {ROOT} from '../helpers/cli.js'

type ManifestCommand = {flags: Record<string, unknown>; args: Record<string, unknown>; summary?: string; examples?: unknown[]}

function commandFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? commandFiles(path) : name.endsWith('.ts') ? [path] : []
  })
}

type CommandClass = {flags: object; baseFlags: object; args: object; summary?: string; examples: unknown[]}

/** The commands oclif runs: the COMMANDS export of the bundle that package.json's oclif.commands names. */
async function bundledCommands(): Promise<Record<string, CommandClass>> {
  const pjson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {oclif: {commands: {strategy: string; target: string; identifier: string}}}
  const {strategy, target, identifier} = pjson.oclif.commands
  expect(strategy).toBe('explicit')
  const mod = (await import(pathToFileURL(join(ROOT, target)).href)) as Record<string, Record<string, CommandClass>>
  return mod[identifier] ?? {}
}

describe('oclif.manifest.json', () => {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as {commands: Record<string, ManifestCommand>}
  const sources = commandFiles(join(ROOT, 'src', 'commands'))
  const ids = sources.map((f) => relative(join(ROOT, 'src', 'commands'), f).replace(/\.ts$/, '').split('/').join(':')).sort()

  it('lists exactly the commands in src/commands', () => {
    expect(Object.keys(manifest.commands).sort()).toEqual(ids)
  })

  it('matches the bundle oclif loads commands from, which has every command in src/commands', async () => {
    const commands = await bundledCommands()
    expect(Object.keys(commands).sort()).toEqual(ids)
  })

  it('is not stale: every command has the flags, args and summary of its built class', async () => {
    const commands = await bundledCommands()
    for (const [id, entry] of Object.entries(manifest.commands)) {
      const cls = commands[id]
      expect(cls, id).toBeDefined()
      expect(Object.keys(entry.flags).sort(), id).toEqual([...new Set([...Object.keys(cls!.baseFlags ?? {}), ...Object.keys(cls!.flags ?? {}), 'json'])].sort())
      expect(Object.keys(entry.args ?? {}).sort(), id).toEqual(Object.keys(cls!.args ?? {}).sort())
      expect(entry.summary, id).toBe(cls!.summary)
      expect(cls!.examples.length, `${id} has at least two examples`).toBeGreaterThanOrEqual(2)
    }
  })
})
