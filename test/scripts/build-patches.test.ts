/**
 * scripts/build.mjs (PATCHES) rewrites how the bundled got builds the options of each node:http request:
 * an Object.assign instead of a literal opened by two spreads, for Node 20's sake. The rewrite must make
 * the very object got itself makes - same keys, same order, same values - for each kind of request
 * soemail sends. This compares the bundle's got (dist/cli/wire.cjs) with the one in node_modules.
 */
import {Options} from 'got'
import {createRequire} from 'node:module'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {ROOT} from '../helpers/cli.js'

const {bundle} = createRequire(join(ROOT, 'package.json'))('./dist/cli/load.cjs') as {bundle(name: 'wire'): {got: {Options: typeof Options}}}

/** got's options for one request, as got hands them to node:http (functions by name: the two copies' differ by identity). */
function nativeOptions(Make: typeof Options, init: Record<string, unknown>): [string, unknown][] {
  const native = (new Make(init) as unknown as {createNativeRequestOptions(): Record<string, unknown>}).createNativeRequestOptions()
  return Object.entries(native).map(([key, value]) => [key, typeof value === 'function' ? `function ${key}` : value])
}

describe('the bundle patch of got (request options built with Object.assign)', () => {
  it.each<[string, Record<string, unknown>]>([
    ['http, the sandbox', {url: 'http://127.0.0.1:8080/Remote/Services87/EMail.svc', method: 'POST', headers: {'content-type': 'text/xml; charset=utf-8', soapaction: 'x'}, retry: {limit: 0}, followRedirect: false, throwHttpErrors: false}],
    ['https with a CA file and timeouts', {url: 'https://crm.example.test/Remote/Services87/EMail.svc', method: 'POST', https: {certificateAuthority: 'CA', rejectUnauthorized: true}, timeout: {connect: 1000, request: 5000}, decompress: true}],
    ['a unix socket', {url: 'http://unix:/tmp/netserver.sock:/Remote/Services87/EMail.svc', enableUnixSockets: true, method: 'GET'}],
    ['a cache-less GET with search parameters', {url: 'http://127.0.0.1/x?a=1', searchParams: {b: '2'}}],
  ])('makes the same request options as unpatched got: %s', (_name, init) => {
    const expected = nativeOptions(Options, init)
    expect(expected.length).toBeGreaterThan(30)
    expect(nativeOptions(bundle('wire').got.Options, init)).toEqual(expected)
  })
})
