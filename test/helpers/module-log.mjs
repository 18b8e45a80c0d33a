/**
 * Preloaded with `--import` (NODE_OPTIONS), records every module the process loads into the file named
 * by SOEMAIL_MODULE_LOG, one per line: `esm URL` (from a resolve hook, so also `import()`s of packages
 * and of node: built-ins), `cjs PATH` (require's cache, where the build's lazy stand-ins load through
 * createRequire) and `builtin NativeModule NAME` (every built-in, however it was loaded). Works on
 * Node.js 20.6 and later; it loads only node:fs and node:module itself.
 *
 * `bundle PATH cached|compiled` is each bundle dist/cli/load.cjs ran, and whether V8 took its code cache.
 *
 * It also records `intl NAME` for each first use of what initialises ICU (an Intl formatter or collator,
 * localeCompare): some 10 ms the first time, which start-up must not pay for a message it never shows.
 */
import {appendFileSync} from 'node:fs'
import {createRequire, register} from 'node:module'

const out = process.env.SOEMAIL_MODULE_LOG
if (out) {
  register('./module-log-hooks.mjs', import.meta.url, {data: {out}})
  const intl = new Set()
  for (const name of ['Collator', 'DateTimeFormat', 'DisplayNames', 'ListFormat', 'NumberFormat', 'PluralRules', 'RelativeTimeFormat', 'Segmenter']) {
    const Real = Intl[name]
    if (!Real) continue
    Intl[name] = new Proxy(Real, {construct: (target, args, newTarget) => (intl.add(`Intl.${name}`), Reflect.construct(target, args, newTarget))})
  }
  const localeCompare = String.prototype.localeCompare
  String.prototype.localeCompare = function (...args) {
    intl.add('String.prototype.localeCompare')
    return localeCompare.apply(this, args)
  }
  process.on('exit', () => {
    const used = [...intl].map((name) => `intl ${name}`)
    const cache = createRequire(import.meta.url).cache
    const cjs = Object.keys(cache).map((file) => `cjs ${file}`)
    const loader = Object.entries(cache).find(([file]) => /[\\/]dist[\\/]cli[\\/]load\.cjs$/.test(file))?.[1]
    const bundles = (loader?.exports.files ?? []).map(({filename, cached}) => `bundle ${filename} ${cached ? 'cached' : 'compiled'}`)
    const builtins = (process.moduleLoadList ?? []).map((name) => `builtin ${name}`)
    appendFileSync(out, [...cjs, ...bundles, ...builtins, ...used, ''].join('\n'))
  })
}
