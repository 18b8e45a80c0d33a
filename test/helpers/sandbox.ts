import {afterAll, beforeAll} from 'vitest'
import {startSandbox, type Sandbox} from '../../src/sandbox/server.js'

/** A real sandbox on 127.0.0.1 for the tests of one file; the CLI under test talks to it over HTTP. */
export function useSandbox(options: Parameters<typeof startSandbox>[0] = {}): {readonly current: Sandbox} {
  const holder: {current?: Sandbox} = {}
  beforeAll(async () => {
    holder.current = await startSandbox({port: 0, ...options})
  })
  afterAll(async () => {
    await holder.current?.close()
  })
  return holder as {readonly current: Sandbox}
}
