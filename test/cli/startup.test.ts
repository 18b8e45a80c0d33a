/**
 * `soemail --version` loads none of what scripts/build.mjs defers: the modules its LAZY list turns into
 * stand-ins, the command table (dist/cli/commands.js) and the keychain client. Each would be start-up work
 * for nothing, and a stray top-level import undoes a deferral without any other test noticing.
 *
 * got and xmlbuilder2 are on the path of every request, but `--version` and `--help` must not pay for
 * them either: the bundle puts them in chunks loaded only when a command connects. They are bundled, so
 * they are found by code only each of them contains in the files the process loaded.
 */
import {mkdtempSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'
import {describe, expect, it} from 'vitest'
import {ROOT, runCli} from '../helpers/cli.js'

/** The `modules: [...]` of every LAZY entry in scripts/build.mjs, so the test follows the build. */
function lazyModules(): string[] {
  const build = readFileSync(join(ROOT, 'scripts', 'build.mjs'), 'utf8')
  const lazy = /^const LAZY = \[([\s\S]*?)^\]/m.exec(build)?.[1] ?? ''
  return [...lazy.matchAll(/modules: \[([^\]]*)\]/g)].flatMap((m) => [...(m[1] ?? '').matchAll(/'([^']+)'/g)].map((n) => n[1] ?? ''))
}

/** Whether a line of the module log is `name` (a package or a node: built-in) or a file of it. */
function isModule(line: string, name: string): boolean {
  if (name.startsWith('node:')) {
    const bare = name.slice('node:'.length)
    return line === `esm ${name}` || line === `builtin NativeModule ${bare}`
  }
  return line.includes(`/node_modules/${name}/`)
}

async function modulesLoadedBy(args: string[], {succeeds = true} = {}): Promise<string[]> {
  const log = join(mkdtempSync(join(tmpdir(), 'soemail-modules-')), 'modules.log')
  const hook = pathToFileURL(join(ROOT, 'test', 'helpers', 'module-log.mjs')).href
  const result = await runCli(args, {env: {NODE_OPTIONS: `--import=${hook}`, SOEMAIL_MODULE_LOG: log}})
  if (succeeds) expect(result.code, result.stderr).toBe(0)
  return readFileSync(log, 'utf8').split('\n').filter(Boolean)
}

// got's timed-out.js and xmlbuilder2's builder class, as bundled.
const MARKERS = {got: "Timeout awaiting '", xmlbuilder2: 'XMLBuilderImpl'}

/** Which of got and xmlbuilder2 the files a command loaded contain. */
async function librariesLoadedBy(args: string[], options?: {succeeds?: boolean}): Promise<string[]> {
  const files = (await modulesLoadedBy(args, options)).filter((line) => line.startsWith('esm file:')).map((line) => fileURLToPath(line.slice('esm '.length)))
  const sources = [...new Set(files)].map((file) => readFileSync(file, 'utf8'))
  return Object.entries(MARKERS).filter(([, marker]) => sources.some((source) => source.includes(marker))).map(([name]) => name)
}

describe('start-up of the built CLI', () => {
  const deferred = [...lazyModules(), '@napi-rs/keyring']

  it('the build still defers the modules this test knows it for', () => {
    expect(deferred).toEqual(expect.arrayContaining(['tinyglobby', 'lilconfig', 'cli-spinners', 'semver', 'minimatch', 'ejs', 'node:child_process', 'node:readline', '@napi-rs/keyring']))
  })

  it('the log sees what the stand-ins load: `soemail --help` loads ejs through its stand-in (the control)', async () => {
    const loaded = await modulesLoadedBy(['--help'])
    expect(loaded.filter((line) => isModule(line, 'ejs')).length).toBeGreaterThan(0)
  })

  it('`soemail --version` loads none of the deferred modules, nor the command table', async () => {
    const loaded = await modulesLoadedBy(['--version'])
    // The log itself works: the CLI's own bundle and a built-in it always needs are in it.
    expect(loaded).toContain(`esm ${pathToFileURL(join(ROOT, 'dist', 'cli', 'run.js')).href}`)
    expect(loaded).toContain('builtin NativeModule fs')
    for (const name of deferred) expect(loaded.filter((line) => isModule(line, name)), name).toEqual([])
    expect(loaded.filter((line) => line.endsWith('/dist/cli/commands.js'))).toEqual([])
  })
})

describe.concurrent('start-up loads neither got nor xmlbuilder2', () => {
  it.each([['--version'], ['--help'], ['account', '--help'], ['account', 'save', '--help']])('soemail %s', async (...args) => {
    expect(await librariesLoadedBy(args)).toEqual([])
  })

  it('a command that connects loads both (so the markers above are the libraries)', async () => {
    const found = await librariesLoadedBy(['account', 'get', '1', '--url', 'http://127.0.0.1:1/SuperOffice', '--ticket', 'x'], {succeeds: false})
    expect(found.sort()).toEqual(['got', 'xmlbuilder2'])
  })
})

describe.concurrent('start-up initialises no ICU (some 10 ms the first time)', () => {
  const intlUsed = async (args: string[], options?: {succeeds?: boolean}) => (await modulesLoadedBy(args, options)).filter((line) => line.startsWith('intl '))

  it('a command that connects builds no Intl formatter and compares no strings by locale (got, oclif as patched by the build)', async () => {
    expect(await intlUsed(['account', 'get', '1', '--url', 'http://127.0.0.1:1/SuperOffice', '--ticket', 'x'], {succeeds: false})).toEqual([])
    expect(await intlUsed(['--version'])).toEqual([])
  })

  it('the log sees a use of Intl (the control)', async () => {
    const log = join(mkdtempSync(join(tmpdir(), 'soemail-modules-')), 'modules.log')
    const hook = pathToFileURL(join(ROOT, 'test', 'helpers', 'module-log.mjs')).href
    const {spawnSync} = await import('node:child_process')
    const res = spawnSync(process.execPath, ['-e', "new Intl.ListFormat('en').format(['a', 'b']); 'a'.localeCompare('b')"], {env: {...process.env, NODE_OPTIONS: `--import=${hook}`, SOEMAIL_MODULE_LOG: log}})
    expect(res.status, String(res.stderr)).toBe(0)
    expect(readFileSync(log, 'utf8').split('\n').filter((line) => line.startsWith('intl '))).toEqual(['intl Intl.ListFormat', 'intl String.prototype.localeCompare'])
  })
})
