import {readFileSync, readdirSync, statSync} from 'node:fs'
import {join, relative} from 'node:path'
import {pathToFileURL} from 'node:url'
import {describe, expect, it} from 'vitest'
import {ROOT} from './helpers/cli.js'

type ManifestCommand = {flags: Record<string, unknown>; args: Record<string, unknown>; summary?: string; examples?: unknown[]}

function commandFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? commandFiles(path) : name.endsWith('.ts') ? [path] : []
  })
}

describe('oclif.manifest.json', () => {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as {commands: Record<string, ManifestCommand>}
  const sources = commandFiles(join(ROOT, 'src', 'commands'))

  it('lists exactly the commands in src/commands', () => {
    const ids = sources.map((f) => relative(join(ROOT, 'src', 'commands'), f).replace(/\.ts$/, '').split('/').join(':')).sort()
    expect(Object.keys(manifest.commands).sort()).toEqual(ids)
  })

  it('is not stale: every command has the flags, args and summary of its built class', async () => {
    for (const [id, entry] of Object.entries(manifest.commands)) {
      const mod = (await import(pathToFileURL(join(ROOT, 'dist', 'commands', ...id.split(':')) + '.js').href)) as {default: {flags: object; baseFlags: object; args: object; summary?: string; examples: unknown[]}}
      const cls = mod.default
      expect(Object.keys(entry.flags).sort(), id).toEqual([...new Set([...Object.keys(cls.baseFlags ?? {}), ...Object.keys(cls.flags ?? {}), 'json'])].sort())
      expect(Object.keys(entry.args ?? {}).sort(), id).toEqual(Object.keys(cls.args ?? {}).sort())
      expect(entry.summary, id).toBe(cls.summary)
      expect(cls.examples.length, `${id} has at least two examples`).toBeGreaterThanOrEqual(2)
    }
  })
})
