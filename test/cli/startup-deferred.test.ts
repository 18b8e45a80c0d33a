/**
 * got and xmlbuilder2 are on the path of every request, but `soemail --version` and `--help` must not pay
 * for them: the bundle (scripts/build.mjs) puts them in chunks loaded only when a command connects. The
 * built CLI runs with a loader hook that records every module file it loads; the files are searched for
 * code only got and only xmlbuilder2 contain. A command that connects is the control: there both are found.
 */
import {spawn} from 'node:child_process'
import {mkdtempSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import {BIN, cleanEnv} from '../helpers/cli.js'

const HOOK = fileURLToPath(new URL('../helpers/record-loads.mjs', import.meta.url))
// got's timed-out.js and xmlbuilder2's builder class, as bundled.
const MARKERS = {got: "Timeout awaiting '", xmlbuilder2: 'XMLBuilderImpl'}

async function loadedLibraries(args: string[]): Promise<{code: number | null; found: string[]}> {
  const record = join(mkdtempSync(join(tmpdir(), 'soemail-loads-')), 'loads.txt')
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', HOOK, BIN, ...args], {env: cleanEnv({SOEMAIL_TEST_LOADS: record}), stdio: ['ignore', 'ignore', 'ignore']})
    child.on('error', reject)
    child.on('close', resolve)
  })
  const files = readFileSync(record, 'utf8').split('\n').filter((url) => url.startsWith('file:'))
  expect(files.length).toBeGreaterThan(0)
  const sources = files.map((url) => readFileSync(fileURLToPath(url), 'utf8'))
  const found = Object.entries(MARKERS).filter(([, marker]) => sources.some((source) => source.includes(marker))).map(([name]) => name)
  return {code, found}
}

describe.concurrent('start-up loads neither got nor xmlbuilder2', () => {
  it.each([['--version'], ['--help'], ['account', '--help'], ['account', 'save', '--help']])('soemail %s', async (...args) => {
    const {code, found} = await loadedLibraries(args)
    expect(code).toBe(0)
    expect(found).toEqual([])
  })

  it('a command that connects loads both (so the markers above are the libraries)', async () => {
    const {found} = await loadedLibraries(['account', 'get', '1', '--url', 'http://127.0.0.1:1/SuperOffice', '--ticket', 'x'])
    expect(found.sort()).toEqual(['got', 'xmlbuilder2'])
  })
})
