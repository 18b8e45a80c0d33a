// node --import this file: every module URL loaded is appended to the file named by SOEMAIL_TEST_LOADS.
import {appendFileSync} from 'node:fs'
import {register} from 'node:module'

const out = process.env.SOEMAIL_TEST_LOADS
if (out) {
  const hooks = `import {appendFileSync} from 'node:fs'
export async function load(url, context, next) {
  appendFileSync(${JSON.stringify(out)}, url + '\\n')
  return next(url, context)
}`
  register(`data:text/javascript,${encodeURIComponent(hooks)}`)
  appendFileSync(out, '')
}
