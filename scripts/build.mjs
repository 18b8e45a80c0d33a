#!/usr/bin/env node
// Bundles the CLI for fast start-up; `npm run build` runs it after tsc and before `oclif manifest`.
//
//   dist/cli/load.cjs      loads the bundles below with the V8 code cache stored beside each (NAME.cjs.v8);
//                          bin/run.js starts there (source: scripts/bundle-loader.cjs, which says why)
//   dist/cli/oclif.cjs     @oclif/core: the only copy the CLI loads (its plugins load their own, when used)
//   dist/cli/app.cjs       our code and the small libraries it uses; its import() calls are bundled in and
//                          still run a module only when first asked for
//   dist/cli/commands.cjs  COMMANDS, every command by id, from app.cjs: oclif requires it (package.json
//                          oclif.commands, strategy "explicit") only to run a command, not for --version
//   dist/cli/wire.cjs ...  the big libraries, each loaded only by the command that uses it (BUNDLES)
//
// Everything is CommonJS, because Node.js 20 keeps a code cache only for scripts, not for ES modules, and
// because one file per bundle replaces the dozens of chunks - each a file to resolve, read and link on
// the way - that code splitting made of our import() calls.
//
// The input is tsc's output in dist/, so the bundles run exactly the code tsc type-checked and emitted.
// SOEMAIL_BUILD_META=DIR writes esbuild's metafiles there (what went into which file, for analysis).
import {copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {join, relative, resolve, sep} from 'node:path'
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
  // got builds the options of every node:http request as an object literal that begins with two spreads
  // and goes on with 34 properties. On Node 20 (V8 11.3) that shape falls off V8's fast path: some 35 us
  // and 22 kB of garbage per request, against 1 us on Node 22 - at 800 requests a second, 3% of a core and
  // a tenth of all the client allocates. Object.assign makes the same object (the spread objects share no
  // key with the literal, and neither holds __proto__) at the fast speed on every Node. Two patches: the
  // opening and the closing of the one literal.
  {
    file: 'got/dist/source/core/options.js',
    from: 'return {\n            ...internals.cacheOptions,\n            ...this._unixOptions,\n',
    to: 'return Object.assign({}, internals.cacheOptions, this._unixOptions, {\n',
  },
  {
    file: 'got/dist/source/core/options.js',
    from: '            h2session: internals.h2session,\n        };\n',
    to: '            h2session: internals.h2session,\n        });\n',
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

/**
 * The big libraries, each in a bundle of its own that loads the first time our code imports from it:
 * the wire (every command that connects: got, the envelope builder, the answer parser), the prompts (only
 * on a terminal), the mail clients of the credential checks and the CSV decoder's code pages.
 */
const BUNDLES = [
  {name: 'oclif', packages: ['@oclif/core']},
  {name: 'wire', packages: ['got', 'xmlbuilder2', 'saxes']},
  {name: 'prompts', packages: ['@inquirer/prompts']},
  {name: 'imap', packages: ['imapflow']},
  {name: 'smtp', packages: ['nodemailer']},
  {name: 'iconv', packages: ['iconv-lite']},
]
const bundleOf = new Map(BUNDLES.flatMap(({name, packages}) => packages.map((pkg) => [pkg, name])))

/** An import( call in JavaScript text: not a method (`x.import(`) or part of a longer name. */
const IMPORT_CALL = String.raw`(?<![\w$.])import\(`

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

const startup = (own) => ({
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
const {createRequire} = require('node:module')
const load = () => (real ??= createRequire(createRequire(__filename).resolve(${JSON.stringify(importer)}))(${JSON.stringify(name)}))
// A strict function: a sloppy one has own arguments and caller, which ownKeys would have to list.
module.exports = new Proxy((() => { 'use strict'; return function () {} })(), {
  get: (_, key) => (key === '__esModule' ? undefined : load()[key]),
  has: (_, key) => key in load(),
  construct: (_, args) => Reflect.construct(load(), args),
  apply: (_, self, args) => Reflect.apply(load(), self, args),
  ownKeys: () => [...new Set([...(real ? Reflect.ownKeys(real) : []), 'prototype'])],
})
`,
      }
    })
    // Our modules. One that finds files next to it through import.meta.url (the sandbox reads schemas/)
    // must still see its own URL in dist/, not the URL of the bundle file it ended up in.
    b.onLoad({filter: /[\\/]dist[\\/].*\.js$/}, (args) => {
      if (/[\\/]node_modules[\\/]/.test(args.path)) return undefined
      let contents = readFileSync(args.path, 'utf8')
      const original = contents
      if (contents.includes('import.meta.url')) {
        const own = relative(resolve('dist'), args.path).split(sep).join('/')
        contents = contents.replaceAll('import.meta.url', `new URL(${JSON.stringify(own)}, __soemailDist).href`)
      }
      // import() of what is not bundled (a built-in, an external package) goes to the loader's import.
      contents = contents.replace(new RegExp(String.raw`${IMPORT_CALL}(['"])([^'"]+)\1\)`, 'g'), (call, quote, spec) => (spec.startsWith('node:') || common.external.includes(spec) ? `__soemailImport(${quote}${spec}${quote})` : call))
      return contents === original ? undefined : {contents, loader: 'js'}
    })
    // Patches, and import() of a computed specifier (oclif's module loader) sent to the loader's import:
    // esbuild bundles import('literal') in, but leaves the others, which fail inside a cached script.
    b.onLoad({filter: /[\\/]node_modules[\\/].*\.[cm]?js$/}, (args) => {
      let contents = readFileSync(args.path, 'utf8')
      const original = contents
      for (const patch of PATCHES) {
        if (!args.path.split(sep).join('/').endsWith(`/node_modules/${patch.file}`)) continue
        const count = contents.split(patch.from).length - 1
        if (count !== 1) throw new Error(`${patch.file}: expected the code to patch once, found it ${count} times; review PATCHES in scripts/build.mjs for this version`)
        applied.add(patch)
        contents = contents.replace(patch.from, () => patch.to)
      }
      contents = contents.replace(new RegExp(String.raw`${IMPORT_CALL}(?!\s*['"\x60)])`, 'g'), '__soemailImport(')
      return contents === original ? undefined : {contents, loader: 'js'}
    })
    // A big library that another bundle holds, imported by our code: its exports, taken from that bundle
    // when first imported. (A library that uses another - imapflow iconv-lite - keeps the copy it resolves.)
    b.onResolve({filter: new RegExp(`^(${[...bundleOf.keys()].map((k) => k.replace(/[/.]/g, '\\$&')).join('|')})$`)}, (args) => (own.has(args.path) || /[\\/]node_modules[\\/]/.test(args.importer) ? undefined : {path: args.path, namespace: 'bundle-ref'}))
    b.onLoad({filter: /.*/, namespace: 'bundle-ref'}, (args) => ({loader: 'js', contents: referTo(args.path)}))
  },
})

/** The exports of each bundled package, by name, for the stand-ins that import from another bundle. */
const exportNames = new Map()

function referTo(pkg) {
  const names = exportNames.get(pkg)
  if (!names) throw new Error(`${pkg} is imported from a bundle built before its own; reorder BUNDLES in scripts/build.mjs`)
  // Node's interop: a CommonJS package's default export is its module.exports; an ES module's is its own.
  const lines = [`const m = __soemailBundle(${JSON.stringify(bundleOf.get(pkg))})[${JSON.stringify(pkg)}]`, 'export default m && m.__esModule ? m.default : m']
  names.forEach((name, i) => lines.push(`const x${i} = m[${JSON.stringify(name)}]`, `export {x${i} as ${JSON.stringify(name)}}`))
  return lines.join('\n')
}

const common = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  // @napi-rs/keyring loads its native binary relative to itself; libxml2-wasm (the sandbox's schema check)
  // carries 1 MB of WebAssembly that only `soemail sandbox` loads, from node_modules as Node resolves it.
  // typescript, ts-node and tsx are optional development-time requires inside @oclif/core (never taken
  // by the built CLI).
  external: ['@napi-rs/keyring', 'libxml2-wasm', 'typescript', 'ts-node', 'tsx'],
  // Less source for V8 to scan; names are kept so stack traces stay readable.
  minifyWhitespace: true,
  minifySyntax: true,
  // License comments go to .LEGAL.txt files beside the bundle instead of being scanned at every start.
  legalComments: 'external',
  logLevel: 'warning',
  metafile: Boolean(process.env.SOEMAIL_BUILD_META),
}

const OUT = 'dist/cli'
rmSync(OUT, {recursive: true, force: true})
mkdirSync(OUT, {recursive: true})
const metafiles = {}
copyFileSync('scripts/bundle-loader.cjs', join(OUT, 'load.cjs'))
// The build loads each library bundle it writes, to list its exports for the bundles that import from it
// (and, at the end, to store the code caches).
const loader = createRequire(import.meta.url)(resolve(OUT, 'load.cjs'))
for (const {name, packages} of BUNDLES) {
  const result = await build({
    ...common,
    stdin: {contents: packages.map((pkg) => `exports[${JSON.stringify(pkg)}] = require(${JSON.stringify(pkg)})`).join('\n'), resolveDir: process.cwd(), sourcefile: `${name}-bundle.js`, loader: 'js'},
    outfile: join(OUT, `${name}.cjs`),
    plugins: [startup(new Set(packages))],
  })
  metafiles[name] = result.metafile
  const loaded = loader.bundle(name)
  for (const pkg of packages) exportNames.set(pkg, Object.keys(loaded[pkg]).filter((key) => key !== 'default' && key !== '__esModule'))
}
{
  // Our code: import.meta.url of a module that finds files next to it is rewritten against dist/.
  const result = await build({
    ...common,
    entryPoints: ['dist/command-index.js'],
    outfile: join(OUT, 'app.cjs'),
    banner: {js: "const __soemailDist = require('node:url').pathToFileURL(require('node:path').join(__dirname, '..') + '/');"},
    plugins: [startup(new Set())],
  })
  metafiles.app = result.metafile
}
writeFileSync(join(OUT, 'commands.cjs'), "'use strict'\n// What oclif requires to run a command (package.json oclif.commands and hooks): the commands in app.cjs.\nmodule.exports = require('./load.cjs').bundle('app')\n")

// A patch for a file no longer bundled is dead weight that would hide a regression later.
for (const patch of PATCHES) if (!applied.has(patch)) throw new Error(`${patch.file} was not bundled, so its patch in scripts/build.mjs never applied; remove it`)
if (process.env.SOEMAIL_BUILD_META) {
  mkdirSync(process.env.SOEMAIL_BUILD_META, {recursive: true})
  for (const [name, meta] of Object.entries(metafiles)) writeFileSync(join(process.env.SOEMAIL_BUILD_META, `${name}.json`), JSON.stringify(meta))
}
// Nothing may call import() itself inside a bundle (see scripts/bundle-loader.cjs).
for (const name of [...BUNDLES.map((x) => x.name), 'app']) {
  const raw = readFileSync(join(OUT, `${name}.cjs`), 'utf8').match(new RegExp(`${IMPORT_CALL}(?!\\))`, 'g'))
  if (raw) throw new Error(`${OUT}/${name}.cjs calls import() ${raw.length} times; route it through __soemailImport (scripts/build.mjs)`)
}
// The code caches: the library bundles ran above (their exports were listed), our code runs now.
loader.bundle('app')
loader.writeCodeCaches()
// V8 takes a cache only from its own version (and flags); the tests read which one that was.
writeFileSync(join(OUT, 'code-cache.json'), `${JSON.stringify({node: process.version, v8: process.versions.v8})}\n`)
