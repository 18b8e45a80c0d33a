/**
 * The account index is kept for a whole import, so what it holds per account is what a run's memory grows
 * by. It must hold its keys, not the answers they were parsed from: V8 keeps a short string taken out of
 * a longer one as a slice of it, and an index that kept the parsed e-mail addresses kept every answer
 * (about 1.7 kB a row; an import of 100,000 rows reached 850 MB).
 *
 * Looked for in a heap snapshot of a child process (tsc's output in dist/, which the tests' setup keeps
 * fresh) that saved the accounts through the sandbox over HTTP, so the addresses come out of real answers.
 */
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'
import {describe, expect, it} from 'vitest'
import {ROOT} from '../helpers/cli.js'
import {runProcess} from '../helpers/process.js'
import {useSandbox} from '../helpers/sandbox.js'

const sandbox = useSandbox()
const ACCOUNTS = 1000

const child = (dist: string) => `
import {readFileSync} from 'node:fs'
import {writeHeapSnapshot} from 'node:v8'
const [{EMailService}, {NetServerClient}, {SoapTransport}, {AccountIndex}] = await Promise.all([
  import('${dist}soap/email-service.js'), import('${dist}soap/client.js'), import('${dist}soap/transport.js'), import('${dist}accounts/account-index.js'),
])
const [url, ticket, count, snapshot] = process.argv.slice(2)
const transport = new SoapTransport({timeoutMs: 10_000})
const email = new EMailService(new NetServerClient({baseUrl: url, version: '87', ticket}, transport))
const index = await AccountIndex.build(email, {associates: new Set([12])})
const account = (address) => ({emailAccountId: 0, emailAddress: address, associateId: 12, incoming: {serviceAuthId: 0, server: 'imap.example.com', port: 993, authType: 'plain', username: address, password: 'in'}, outgoing: {serviceAuthId: 0, server: 'smtp.example.com', port: 587, authType: 'plain', username: address, password: 'out'}})
// In a function, so that nothing of the last batch outlives it but what the index keeps.
const saveAll = async () => {
  for (let n = 0; n < Number(count); n += 50) {
    const saved = await Promise.all(Array.from({length: 50}, (_, i) => email.saveEMailAccount(account('someone.' + (n + i) + '@example.no'))))
    for (const one of saved) index.record(one)
  }
}
await saveAll()
transport.close()
// A snapshot holds only what is reachable: every answer text still in it is one something keeps.
writeHeapSnapshot(snapshot)
const answers = JSON.parse(readFileSync(snapshot, 'utf8')).strings.filter((text) => text.startsWith('<s:Envelope') && text.includes('SaveEMailAccountResponse')).length
process.stdout.write(JSON.stringify({size: index.size, answers}))
`

describe('AccountIndex memory', () => {
  it(`keeps none of the answers its accounts came in (${ACCOUNTS} accounts)`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'soemail-index-memory-'))
    const file = join(dir, 'child.mjs')
    writeFileSync(file, child(pathToFileURL(join(ROOT, 'dist')).href + '/'))
    try {
      const res = await runProcess(process.execPath, [file, sandbox.current.url, sandbox.current.demoTicket, String(ACCOUNTS), join(dir, 'heap.heapsnapshot')], {timeoutMs: 60_000})
      expect(res.status, res.stderr).toBe(0)
      const {size, answers} = JSON.parse(res.stdout) as {size: number; answers: number}
      expect(size).toBe(ACCOUNTS)
      // With the addresses kept as slices, every answer stays (1,000); the client may still hold its last one.
      expect(answers).toBeLessThan(5)
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  }, 90_000)
})
