/** The resolve hook of module-log.mjs; it runs on the loader thread, so it writes synchronously. */
import {appendFileSync} from 'node:fs'

let out

export function initialize(data) {
  out = data.out
}

export async function resolve(specifier, context, next) {
  const result = await next(specifier, context)
  appendFileSync(out, `esm ${result.url}\n`)
  return result
}
