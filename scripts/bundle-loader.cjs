'use strict'
// dist/cli/load.cjs: loads the CLI's bundles (dist/cli/NAME.cjs, written by scripts/build.mjs) with the V8
// code cache the build stored beside each (NAME.cjs.v8).
//
// Written by hand because Node.js 20 keeps no compiled code between runs: it compiles every module again
// at each start (module.enableCompileCache() is Node >= 22.1, and ES modules take no cached data on 20).
// Compiling the ~1.5 MB a command loads was a third of `soemail account save`'s start-up. vm.Script takes
// cached data on every supported Node; v8-compile-cache, the library that once did this, hooks every
// require() in the process and writes to the temp directory, where this needs neither.
//
// A cache that V8 rejects (another Node.js or V8 flags than the build's) or that is missing only costs the
// compile: the bundle runs the same. Each bundle is one CommonJS module, run once and shared by name.
const {readFileSync, writeFileSync} = require('node:fs')
const {createRequire} = require('node:module')
const {join} = require('node:path')
const {Script} = require('node:vm')

/** name -> the bundle's module.exports */
const loaded = new Map()
/** Where each loaded bundle came from and whether its cache was taken (for the start-up tests). */
const files = []
/** Scripts compiled without a usable cache: what writeCodeCaches() writes the cache of. */
const uncached = []

// import() inside a script compiled from cached data has no loader to answer it on Node.js 20 (it throws
// ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING), so the bundles call this module's instead.
const importModule = (specifier) => import(specifier)

function bundle(name) {
  const done = loaded.get(name)
  if (done) return done.exports
  const filename = join(__dirname, `${name}.cjs`)
  const source = readFileSync(filename, 'utf8')
  let cachedData
  try {
    cachedData = readFileSync(`${filename}.v8`)
  } catch {
    // no cache: compiled as usual
  }
  // On the first line, so that line numbers in stack traces are the file's.
  const wrapper = `(function (exports, require, module, __filename, __dirname, __soemailBundle, __soemailImport) {${source}\n})`
  const script = new Script(wrapper, {filename, cachedData})
  const taken = cachedData !== undefined && !script.cachedDataRejected
  files.push({name, filename, cached: taken})
  if (!taken) uncached.push({filename, script})
  const module = {exports: {}, filename}
  loaded.set(name, module)
  script.runInThisContext()(module.exports, createRequire(filename), module, filename, __dirname, bundle, importModule)
  return module.exports
}

/**
 * For the build: stores the cache of every bundle this process compiled without one. Called after the
 * bundles ran, so a cache holds the functions compiled on the way, not only the top level.
 */
function writeCodeCaches() {
  for (const {filename, script} of uncached.splice(0)) writeFileSync(`${filename}.v8`, script.createCachedData())
}

module.exports = {bundle, files, writeCodeCaches}
