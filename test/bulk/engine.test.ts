import {appendFileSync, mkdtempSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {JournalWriter, readJournal} from '../../src/bulk/journal.js'
import {Limiter} from '../../src/bulk/limiter.js'
import {classifyFailure} from '../../src/connection/call-policy.js'
import {ErrorGroups} from '../../src/bulk/progress.js'
import {CsvFile, OrderedResults} from '../../src/bulk/results.js'
import {resumeCommand} from '../../src/bulk/resume-command.js'
import {HttpResponseError, NetServerError, TransportError} from '../../src/soap/errors.js'

const dir = () => mkdtempSync(join(tmpdir(), 'soemail-bulk-'))

describe('results in input order', () => {
  it('holds rows that finish early until every earlier row is settled', () => {
    const out: number[] = []
    const ordered = new OrderedResults<number>((n) => out.push(n))
    ordered.settle(2, 2)
    ordered.settle(1, 1)
    expect(out).toEqual([])
    expect(ordered.held).toBe(2)
    ordered.settle(0, 0)
    expect(out).toEqual([0, 1, 2])
    ordered.settle(3, 3)
    expect(out).toEqual([0, 1, 2, 3])
    expect(ordered.held).toBe(0)
  })

  it('CSV lines quote what needs quoting', () => {
    const path = join(dir(), 'r.csv')
    const f = new CsvFile(path, ['a', 'b'])
    f.row(['x,y', 'say "hi"\nbye'])
    f.close()
    expect(readFileSync(path, 'utf8')).toBe('a,b\n"x,y","say ""hi""\nbye"\n')
  })
})

describe('journal', () => {
  it('keeps the last state per line; a start without done is in flight; a torn last line is ignored', () => {
    const path = join(dir(), 'j')
    const j = new JournalWriter(path)
    j.append({k: 'start', l: 2, h: 'a'})
    j.append({k: 'done', l: 2, h: 'a', st: 'ok', a: 'create', id: 7, n: 1})
    j.append({k: 'start', l: 3, h: 'b'})
    j.append({k: 'done', l: 4, h: 'c', st: 'failed', a: 'update', id: 9, n: 4, e: 'boom'})
    j.close()
    appendFileSync(path, '{"k":"done","l":3,"h":"b","st":"o')
    const h = readJournal(path)
    expect(h.get(2)).toMatchObject({hash: 'a', inFlight: false, done: {st: 'ok', id: 7}})
    expect(h.get(3)).toMatchObject({hash: 'b', inFlight: true})
    expect(h.get(3)?.done).toBeUndefined()
    expect(h.get(4)?.done?.st).toBe('failed')
  })

  it('a missing journal is an empty history', () => {
    expect(readJournal(join(dir(), 'none')).size).toBe(0)
  })
})

describe('failure classification', () => {
  const url = 'http://127.0.0.1/x'
  it('a create that may have reached the server is unknown, never retried', () => {
    expect(classifyFailure(new TransportError('ECONNRESET', url, 'reset', true), true).kind).toBe('unknown')
    expect(classifyFailure(new TransportError('ECONNRESET', url, 'reset', true), false).kind).toBe('retry')
    expect(classifyFailure(new HttpResponseError('html', url, 500, 'page'), true).kind).toBe('unknown')
    expect(classifyFailure(new HttpResponseError('html', url, 502, 'page'), false).kind).toBe('retry')
  })

  it('not delivered, or 503/429, is retried even for a create, and 503 means congestion', () => {
    expect(classifyFailure(new TransportError('ECONNREFUSED', url, 'refused', false), true).kind).toBe('retry')
    const throttled = classifyFailure(new HttpResponseError('server-error', url, 503, 'busy'), true)
    expect(throttled).toMatchObject({kind: 'retry', congestion: true})
  })

  it('a session refusal stops the run; other refusals fail the row; a wrong URL is fatal', () => {
    expect(classifyFailure(new NetServerError('SaveEMailAccount', {exceptionType: 'SoSessionException', message: 'expired'}, url), true).kind).toBe('auth')
    expect(classifyFailure(new NetServerError('SaveEMailAccount', {exceptionType: 'SoValidationException', message: 'bad'}, url), true).kind).toBe('failed')
    expect(classifyFailure(new HttpResponseError('not-found', url, 404, 'nope'), false).kind).toBe('fatal')
  })
})

describe('adaptive concurrency', () => {
  it('grows while latency holds and halves on congestion, at most once a second', async () => {
    let now = 0
    const l = new Limiter(4, {adaptive: true, min: 1, max: 16, now: () => now})
    for (let i = 0; i < 40; i++) l.report({latencyMs: 10})
    expect(l.current).toBeGreaterThan(6)
    const grown = l.current
    l.report({congestion: true})
    expect(l.current).toBe(Math.floor(grown / 2))
    l.report({congestion: true})
    expect(l.current).toBe(Math.floor(grown / 2))
    now = 2000
    l.report({congestion: true})
    expect(l.current).toBeLessThan(Math.floor(grown / 2))
    for (let i = 0; i < 40; i++) l.report({latencyMs: 100})
    expect(l.current).toBeLessThan(Math.floor(grown / 2))
  })

  it('never lets more than the limit through', async () => {
    const l = new Limiter(2)
    await l.acquire()
    await l.acquire()
    let third = false
    const p = l.acquire().then(() => (third = true))
    await new Promise((r) => setTimeout(r, 10))
    expect(third).toBe(false)
    l.release()
    await p
    expect(third).toBe(true)
  })
})

describe('summary helpers', () => {
  it('groups errors by cause with numbers folded', () => {
    const g = new ErrorGroups()
    g.add(2, 'there is no e-mail account with id 17')
    g.add(5, 'there is no e-mail account with id 18')
    g.add(9, 'SuperOffice refused SaveEMailAccount')
    expect(g.top()).toEqual([
      {count: 2, lines: [2, 5], example: 'there is no e-mail account with id 17'},
      {count: 1, lines: [9], example: 'SuperOffice refused SaveEMailAccount'},
    ])
  })

  it('the resume command keeps the flags, drops secrets given as flags, and adds --resume', () => {
    expect(resumeCommand('account:import', ['my file.csv', '--concurrency', '8', '--ticket', '7T:secret', '--app-token=tok', '--restart'])).toBe("soemail account import 'my file.csv' --concurrency 8 --resume")
  })
})

describe('journal lines torn by a crash or a full disk', () => {
  it('an entry glued to a torn line is still read', () => {
    const path = join(dir(), 'j')
    appendFileSync(path, '{"k":"start","l":2,"h":"a"}\n{"k":"start","l":3,"h":"b"{"k":"start","l":4,"h":"c"}\n')
    const h = readJournal(path)
    expect(h.get(2)?.inFlight).toBe(true)
    expect(h.get(3)).toBeUndefined()
    expect(h.get(4)?.inFlight).toBe(true)
  })
})
