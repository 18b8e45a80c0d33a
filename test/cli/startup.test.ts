/**
 * `soemail --version` loads none of what scripts/build.mjs defers: the modules its LAZY list turns into
 * stand-ins, the command table (dist/cli/app.cjs) and the keychain client. Each would be start-up work
 * for nothing, and a stray top-level import undoes a deferral without any other test noticing.
 *
 * got and xmlbuilder2 are on the path of every request, but `--version` and `--help` must not pay for
 * them either: the build puts them in a bundle loaded only when a command connects. They are bundled, so
 * they are found by code only each of them contains in the files the process loaded.
 *
 * The bundles run from the V8 code cache the build stored beside them, when this is the Node.js that
 * built them; on another, or with a cache that is missing or damaged, they are compiled and run the same.
 */
import {cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {basename, join} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'
import {describe, expect, it} from 'vitest'
import {ROOT, runCli} from '../helpers/cli.js'
import {runProcess} from '../helpers/process.js'

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

async function modulesLoadedBy(args: string[], {succeeds = true, bin}: {succeeds?: boolean; bin?: string} = {}): Promise<string[]> {
  const log = join(mkdtempSync(join(tmpdir(), 'soemail-modules-')), 'modules.log')
  const hook = pathToFileURL(join(ROOT, 'test', 'helpers', 'module-log.mjs')).href
  const result = await runCli(args, {env: {NODE_OPTIONS: `--import=${hook}`, SOEMAIL_MODULE_LOG: log}, bin})
  if (succeeds) expect(result.code, result.stderr).toBe(0)
  return readFileSync(log, 'utf8').split('\n').filter(Boolean)
}

/** `bundle PATH cached|compiled` lines: the bundles that ran, by file name, and how. */
const bundlesIn = (loaded: string[]) => Object.fromEntries(loaded.filter((line) => line.startsWith('bundle ')).map((line) => line.split(' ')).map(([, file, how]) => [basename(file ?? ''), how]))

// got's timed-out.js and xmlbuilder2's builder class, as bundled.
const MARKERS = {got: "Timeout awaiting '", xmlbuilder2: 'XMLBuilderImpl'}

/** Which of got and xmlbuilder2 the files a command loaded contain. */
async function librariesLoadedBy(args: string[], options?: {succeeds?: boolean}): Promise<string[]> {
  const loaded = await modulesLoadedBy(args, options)
  const files = [
    ...loaded.filter((line) => line.startsWith('esm file:')).map((line) => fileURLToPath(line.slice('esm '.length))),
    ...loaded.filter((line) => line.startsWith('bundle ')).map((line) => line.split(' ')[1] ?? ''),
  ]
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
    expect(Object.keys(bundlesIn(loaded))).toEqual(['oclif.cjs'])
    expect(loaded).toContain('builtin NativeModule fs')
    for (const name of deferred) expect(loaded.filter((line) => isModule(line, name)), name).toEqual([])
    expect(loaded.filter((line) => /[\\/]dist[\\/]cli[\\/](commands|app)\.cjs/.test(line))).toEqual([])
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
    const res = await runProcess(process.execPath, ['-e', "new Intl.ListFormat('en').format(['a', 'b']); 'a'.localeCompare('b')"], {env: {...process.env, NODE_OPTIONS: `--import=${hook}`, SOEMAIL_MODULE_LOG: log}})
    expect(res.status, res.stderr).toBe(0)
    expect(readFileSync(log, 'utf8').split('\n').filter((line) => line.startsWith('intl '))).toEqual(['intl Intl.ListFormat', 'intl String.prototype.localeCompare'])
  })
})

describe('the code cache of the bundles', () => {
  const built = JSON.parse(readFileSync(join(ROOT, 'dist', 'cli', 'code-cache.json'), 'utf8')) as {node: string; v8: string}
  const connect = ['account', 'get', '1', '--url', 'http://127.0.0.1:1/SuperOffice', '--ticket', 'x']

  it(`a command runs its bundles from the cache on the Node.js that built them (${built.node}), and compiles them on another`, async () => {
    const bundles = bundlesIn(await modulesLoadedBy(connect, {succeeds: false}))
    expect(Object.keys(bundles).sort()).toEqual(['app.cjs', 'oclif.cjs', 'wire.cjs'])
    const expected = process.versions.v8 === built.v8 ? 'cached' : 'compiled'
    for (const how of Object.values(bundles)) expect(how).toBe(expected)
  })

  it('a missing or damaged cache costs only the compile: the command runs the same', async () => {
    // A copy of the installed layout (bin, dist, package.json, the manifest), so that the shared dist/ stays whole.
    const root = mkdtempSync(join(tmpdir(), 'soemail-cache-'))
    for (const part of ['bin', 'dist', 'package.json', 'oclif.manifest.json']) cpSync(join(ROOT, part), join(root, part), {recursive: true})
    symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'))
    try {
      rmSync(join(root, 'dist', 'cli', 'app.cjs.v8'))
      writeFileSync(join(root, 'dist', 'cli', 'oclif.cjs.v8'), 'not a code cache')
      const bin = join(root, 'bin', 'run.js')
      const version = await runCli(['--version'], {bin})
      expect(version.code, version.stderr).toBe(0)
      expect(version.stdout).toMatch(/^soemail\/\d/)
      const loaded = await modulesLoadedBy(connect, {succeeds: false, bin})
      const bundles = bundlesIn(loaded)
      expect(bundles['oclif.cjs']).toBe('compiled')
      expect(bundles['app.cjs']).toBe('compiled')
      const failed = await runCli(connect, {bin})
      expect(failed.code).toBe(7)
      expect(failed.stderr).toMatch(/could not reach NetServer: the connection was refused/)
    } finally {
      rmSync(root, {recursive: true, force: true})
    }
  })
})
