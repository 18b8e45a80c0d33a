/**
 * Preloaded with `--import` (NODE_OPTIONS), records every module the process loads into the file named
 * by SOEMAIL_MODULE_LOG, one per line: `esm URL` (from a resolve hook, so also `import()`s of packages
 * and of node: built-ins), `cjs PATH` (require's cache, where the build's lazy stand-ins load through
 * createRequire) and `builtin NativeModule NAME` (every built-in, however it was loaded). Works on
 * Node.js 20.6 and later; it loads only node:fs and node:module itself.
 */
import {appendFileSync} from 'node:fs'
import {createRequire, register} from 'node:module'

const out = process.env.SOEMAIL_MODULE_LOG
if (out) {
  register('./module-log-hooks.mjs', import.meta.url, {data: {out}})
  process.on('exit', () => {
    const cjs = Object.keys(createRequire(import.meta.url).cache).map((file) => `cjs ${file}`)
    const builtins = (process.moduleLoadList ?? []).map((name) => `builtin ${name}`)
    appendFileSync(out, [...cjs, ...builtins, ''].join('\n'))
  })
}
