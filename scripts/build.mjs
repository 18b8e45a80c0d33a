#!/usr/bin/env node
// Bundles the CLI for fast start-up; `npm run build` runs it after tsc and before `oclif manifest`.
//
//   dist/cli/run.js       @oclif/core's execute(), imported by bin/run.js: the only copy of @oclif/core
//                         the CLI loads (the oclif plugins load their own, and only when used)
//   dist/cli/commands.js  COMMANDS, every command by id: oclif imports it (package.json oclif.commands,
//                         strategy "explicit") only to run a command, not for --version or --help
//   dist/cli/chunks/      shared code, and whatever the commands import() inside run() - the SOAP client,
//                         saxes, @inquirer/prompts, the sandbox... - each loaded only when used
//
// The input is tsc's output in dist/, so the bundle runs exactly the code tsc type-checked and emitted.
// SOEMAIL_BUILD_META=FILE writes esbuild's metafile there (what went into which file, for analysis).
import {readFileSync, rmSync, writeFileSync} from 'node:fs'
import {relative, resolve, sep} from 'node:path'
import {build} from 'esbuild'

/**
 * Start-up work that dependencies do for nothing in this CLI, removed at bundle time. Each change is
 * checked to apply exactly once, so an upgrade that moves the code fails the build instead of silently
 * keeping the cost. It avoids initialising ICU, which costs ~10 ms of CPU the first time.
 */
const PATCHES = [
  {
    // Sorting a plugin's commands with localeCompare. The ids (this CLI's and its plugins') are lower-case
    // ASCII with : and -, for which code-unit order is the same as the root collation's.
    file: '@oclif/core/lib/config/plugin.js',
    from: '.sort((a, b) => a.id.localeCompare(b.id));',
    to: '.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));',
  },
  {
    // Matching the plugin list against package.json's dependencies with minimatch, one compiled pattern per
    // dependency and plugin at every start (some 10 ms with loading minimatch). Names without glob
    // characters - all of ours - match only themselves, which a string comparison answers.
    file: '@oclif/core/lib/config/plugin-loader.js',
    from: 'patterns.some((w) => (0, minimatch_1.minimatch)(p, w))',
    to: 'patterns.some((w) => (/[*?[\\]{}()!+\\\\]/.test(w) ? (0, minimatch_1.minimatch)(p, w) : p === w))',
  },
  {
    // Telling WSL from Linux at every start through wsl-utils, which loads node:child_process and
    // PowerShell helpers with it; is-wsl is the check wsl-utils re-exports, without those.
    file: '@oclif/core/lib/util/os.js',
    from: "(await import('wsl-utils')).isWsl",
    to: "(await import('is-wsl')).default",
  },
  {
    // got's type checks build two Intl.ListFormat objects when they load, for the message of a failed
    // assertion over several values: that initialises ICU, some 12 ms of every command that connects.
    // They are built on first use instead.
    file: '@sindresorhus/is/distribution/index.js',
    from: "const andFormatter = new Intl.ListFormat('en', { style: 'long', type: 'conjunction' });\nconst orFormatter = new Intl.ListFormat('en', { style: 'long', type: 'disjunction' });",
    to: "let andFormatterReal, orFormatterReal;\nconst andFormatter = { format: (values) => (andFormatterReal ??= new Intl.ListFormat('en', { style: 'long', type: 'conjunction' })).format(values) };\nconst orFormatter = { format: (values) => (orFormatterReal ??= new Intl.ListFormat('en', { style: 'long', type: 'disjunction' })).format(values) };",
  },
]

/**
 * Packages a dependency loads with itself but uses only on paths this CLI does not take. Each becomes a
 * stand-in that loads the real package - resolved from the importing package, as Node would - on first
 * use; they are not bundled, so nothing of them is read, parsed or run at start.
 * - @oclif/core: tinyglobby (finding commands by file pattern; ours are explicit and the plugins have
 *   manifests), lilconfig (.oclifrc files, read only for a package.json without an "oclif" section),
 *   cli-spinners (spinners), semver (the Node engines check, which cannot find @oclif/core's package.json
 *   from inside the bundle and so never gets as far as using it), minimatch (wildcards in the plugin
 *   list; ours has none), ejs (templates in help text and examples: loaded for --help, not for a
 *   command), node:child_process (the Windows shell check) and node:readline (flags read from stdin).
 *   Used through require().
 * - got: http2-wrapper (HTTP/2, which soemail never asks for). Loading it builds a TLS socket to reach a
 *   class inside Node (utils/js-stream-socket.js), and with it a TLS context and the root certificates:
 *   some 20 ms of every command that connects, even to an http:// sandbox. got uses it through a default
 *   import and reads `.auto` and `.globalAgent` only for `http2: true`.
 * - xmlbuilder2: js-yaml (70 kB of the envelope builder's chunk), used only to read or write YAML.
 */
const LAZY = [
  {importer: '@oclif/core', modules: ['tinyglobby', 'lilconfig', 'cli-spinners', 'semver', 'minimatch', 'ejs', 'node:child_process', 'node:readline']},
  {importer: 'got', modules: ['http2-wrapper']},
  {importer: 'xmlbuilder2', modules: ['js-yaml']},
]

const applied = new Set()

// The patches are written against one @oclif/core, which package.json pins exactly (no caret) so that an
// `npm install` cannot move it under them; is-wsl, which the last patch makes it import, is declared there too.
{
  const pkg = JSON.parse(readFileSync('package.json', 'utf8'))
  const installed = JSON.parse(readFileSync('node_modules/@oclif/core/package.json', 'utf8')).version
  if (pkg.dependencies['@oclif/core'] !== installed) throw new Error(`package.json must pin @oclif/core to exactly ${installed}, the version PATCHES in scripts/build.mjs were checked against (it says ${pkg.dependencies['@oclif/core']})`)
  if (!pkg.dependencies['is-wsl']) throw new Error('package.json must declare is-wsl: the @oclif/core patch in scripts/build.mjs imports it')
}

const nodeModules = (pkg) => new RegExp(`[\\\\/]node_modules[\\\\/]${pkg.replace('/', '[\\\\/]')}[\\\\/]`)

const startup = {
  name: 'soemail-startup',
  setup(b) {
    for (const {importer, modules} of LAZY) {
      const from = nodeModules(importer)
      b.onResolve({filter: new RegExp(`^(${modules.join('|')})$`)}, (args) => (from.test(args.importer) ? {path: `${importer}>${args.path}`, namespace: 'lazy'} : undefined))
    }
    // A function target, so that `new` and calls reach the real export too. `__esModule` is asked when the
    // module is only imported (esbuild's and TypeScript's interop): it is answered without loading, and
    // ownKeys gives nothing until loaded for the same reason; every use goes through get, construct or apply.
    b.onLoad({filter: /.*/, namespace: 'lazy'}, (args) => {
      const [importer, name] = args.path.split('>')
      return {
        loader: 'js',
        contents: `let real
const load = () => (real ??= require('node:module').createRequire(require.resolve(${JSON.stringify(importer)}))(${JSON.stringify(name)}))
module.exports = new Proxy(function () {}, {
  get: (_, key) => (key === '__esModule' ? undefined : load()[key]),
  has: (_, key) => key in load(),
  construct: (_, args) => Reflect.construct(load(), args),
  apply: (_, self, args) => Reflect.apply(load(), self, args),
  ownKeys: () => [...new Set([...(real ? Reflect.ownKeys(real) : []), 'prototype'])],
})
`,
      }
    })
    // A module that finds files next to it through import.meta.url (the sandbox reads schemas/) must
    // still see its own URL in dist/, not the URL of the bundle file it ended up in.
    b.onLoad({filter: /[\\/]dist[\\/].*\.js$/}, (args) => {
      if (/[\\/]node_modules[\\/]/.test(args.path)) return undefined
      const contents = readFileSync(args.path, 'utf8')
      if (!contents.includes('import.meta.url')) return undefined
      const own = relative(resolve('dist'), args.path).split(sep).join('/')
      return {contents: contents.replaceAll('import.meta.url', `new URL(${JSON.stringify(own)}, __soemailDist).href`), loader: 'js'}
    })
    for (const patch of PATCHES) {
      b.onLoad({filter: new RegExp(`[\\\\/]node_modules[\\\\/]${patch.file.replace(/[/.]/g, (c) => (c === '/' ? '[\\\\/]' : '\\.'))}$`)}, (args) => {
        const contents = readFileSync(args.path, 'utf8')
        const count = contents.split(patch.from).length - 1
        if (count !== 1) throw new Error(`${patch.file}: expected the code to patch once, found it ${count} times; review PATCHES in scripts/build.mjs for this version`)
        applied.add(patch)
        return {contents: contents.replace(patch.from, () => patch.to), loader: 'js'}
      })
    }
  },
}

// Bundled CommonJS code (@oclif/core and its dependencies) calls require(), __dirname and __filename,
// which an ES module lacks; every output file gets its own.
const banner = [
  "import {createRequire as __soemailCreateRequire} from 'node:module';",
  "import {fileURLToPath as __soemailFileURLToPath} from 'node:url';",
  'const require = __soemailCreateRequire(import.meta.url);',
  'const __filename = __soemailFileURLToPath(import.meta.url);',
  "const __dirname = __soemailFileURLToPath(new URL('.', import.meta.url));",
  // dist/, from dist/cli/ or dist/cli/chunks/
  "const __soemailDist = new URL(/\\/chunks\\/[^/]*$/.test(import.meta.url) ? '../../' : '../', import.meta.url);",
].join('\n')

rmSync('dist/cli', {recursive: true, force: true})
const result = await build({
  entryPoints: {run: 'dist/main.js', commands: 'dist/command-index.js'},
  outdir: 'dist/cli',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // @napi-rs/keyring loads its native binary relative to itself; libxml2-wasm (the sandbox's schema check)
  // carries 1 MB of WebAssembly that only `soemail sandbox` loads, from node_modules as Node resolves it.
  // typescript, ts-node and tsx are optional development-time requires inside @oclif/core (never taken
  // by the built CLI).
  external: ['@napi-rs/keyring', 'libxml2-wasm', 'typescript', 'ts-node', 'tsx'],
  banner: {js: banner},
  chunkNames: 'chunks/[name]-[hash]',
  // Less source for V8 to scan at every start; names are kept so stack traces stay readable.
  minifyWhitespace: true,
  minifySyntax: true,
  // License comments go to .LEGAL.txt files beside the bundle instead of being scanned at every start.
  legalComments: 'external',
  plugins: [startup],
  metafile: Boolean(process.env.SOEMAIL_BUILD_META),
  logLevel: 'warning',
})
// A patch for a file no longer bundled is dead weight that would hide a regression later.
for (const patch of PATCHES) if (!applied.has(patch)) throw new Error(`${patch.file} was not bundled, so its patch in scripts/build.mjs never applied; remove it`)
if (process.env.SOEMAIL_BUILD_META) writeFileSync(process.env.SOEMAIL_BUILD_META, JSON.stringify(result.metafile))
