import {spawn} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {BIN, cleanEnv, parseJson, runCli} from '../helpers/cli.js'
import {createRow, HEADER, readResults, untilJournalDone, writeCsv} from '../helpers/import-csv.js'
import {useSandbox} from '../helpers/sandbox.js'

const sandbox = useSandbox({schemaCheck: false})
const env = () => ({SOEMAIL_URL: sandbox.current.url, SOEMAIL_TICKET: sandbox.current.demoTicket})
const work = () => mkdtempSync(join(tmpdir(), 'soemail-import-'))
const countByEmail = (email: string) => sandbox.current.accounts().filter((a) => a.emailAddress === email).length

describe('account import', () => {
  it('creates every row, writes one result per input line in order, and a created file for undo', async () => {
    const dir = work()
    const rows = Array.from({length: 30}, (_, i) => createRow(1000 + i))
    const file = writeCsv(join(dir, 'new.csv'), rows)
    const res = await runCli(['account', 'import', file, '--concurrency', '8'], {env: env()})
    expect(res.code, res.stderr + res.stdout).toBe(0)
    expect(res.stdout).toMatch(/Imported 30 rows/)
    expect(res.stdout).toMatch(/ok\s+30\s+\(30 created/)
    const results = readResults(readFileSync(`${file}.results.csv`, 'utf8'))
    expect(results.map((r) => Number(r.line))).toEqual(rows.map((_, i) => i + 2))
    expect(results.every((r) => r.status === 'ok' && r.action === 'create' && Number(r.account_id) > 0)).toBe(true)
    for (let i = 0; i < 30; i++) expect(countByEmail(`user${1000 + i}@example.com`)).toBe(1)
    const created = readFileSync(join(dir, 'new.csv.results.created.csv'), 'utf8').trim().split('\n')
    expect(created).toHaveLength(31)
    for (const f of [`${file}.results.csv`, `${file}.results.csv.journal`, join(dir, 'new.csv.results.created.csv')]) expect(readFileSync(f, 'utf8')).not.toMatch(/imap-pw|smtp-pw/)
  })

  it('updates change only the cells given, and the undo file holds the previous values without passwords', async () => {
    const dir = work()
    const file = writeCsv(join(dir, 'seed.csv'), [createRow(2000), createRow(2001)])
    expect((await runCli(['account', 'import', file], {env: env()})).code).toBe(0)
    const ids = readResults(readFileSync(`${file}.results.csv`, 'utf8')).map((r) => r.account_id)
    const upd = writeCsv(join(dir, 'upd.csv'), [`${ids[0]},,,imap.one.com,,,,,,,,,`, `${ids[1]},,,imap.example.com,,,,,,,,,`])
    const res = await runCli(['account', 'import', upd, '--json'], {env: env()})
    expect(res.code, res.stdout).toBe(0)
    expect(parseJson(res.stdout).result).toMatchObject({counts: {ok: 2}, actions: {update: 1, unchanged: 1}})
    const stored = sandbox.current.accounts().find((a) => String(a.emailAccountId) === ids[0])
    expect(stored).toMatchObject({emailAddress: 'user2000@example.com', incoming: {server: 'imap.one.com', port: 993, password: 'imap-pw-2000'}, outgoing: {server: 'smtp.example.com'}})
    const undo = readFileSync(join(dir, 'upd.csv.results.undo.csv'), 'utf8')
    // Undo files have every column, the Services88 (2026) ones too (empty on 86/87).
    expect(undo.split('\n')[0]).toBe(`${HEADER.replace('associate_id', 'associate')},inbox_folder,sent_folder,simple_mode`)
    expect(undo).toContain(`${ids[0]},user2000@example.com,5,imap.example.com,993,plain,user2000,,smtp.example.com,587,plain,user2000,`)
    expect(undo).not.toMatch(/imap-pw/)
    const replay = await runCli(['account', 'import', join(dir, 'upd.csv.results.undo.csv'), '--results', join(dir, 'undo.results.csv')], {env: env()})
    expect(replay.code, replay.stderr).toBe(0)
    expect(sandbox.current.accounts().find((a) => String(a.emailAccountId) === ids[0])?.incoming?.server).toBe('imap.example.com')
  })

  it('an invalid file exits 3 listing every problem with line and column, and sends nothing', async () => {
    const dir = work()
    const before = sandbox.current.stats().requests
    const file = writeCsv(join(dir, 'bad.csv'), [createRow(3000), ',not-an-email,5,i,993,,,p,s,587,,,p', createRow(3001).replace(',993,', ',99999,'), createRow(3000)])
    const res = await runCli(['account', 'import', file, '--json'], {env: env()})
    expect(res.code).toBe(3)
    const err = parseJson(res.stdout).error!
    expect(err.message).toMatch(/validation failed, nothing sent/)
    expect(err.message).toMatch(/line 3, column email/)
    expect(err.message).toMatch(/line 4, column imap_port/)
    expect(err.message).toMatch(/line 5/)
    expect(sandbox.current.stats().requests).toBe(before)
    expect(existsSync(`${file}.results.csv`)).toBe(false)
  })

  it('a Nordic Excel "CSV" (Windows-1252, ;) exits 3 naming --encoding, and imports with --encoding windows-1252', async () => {
    const dir = work()
    const file = join(dir, 'excel.csv')
    const rows = [HEADER, createRow(3050).replace('user3050', 'bjørn.ærlig'), createRow(3051)].map((r) => r.replaceAll(',', ';'))
    writeFileSync(file, Buffer.from(`${rows.join('\r\n')}\r\n`, 'latin1'))
    const refused = await runCli(['account', 'import', file, '--json'], {env: env()})
    expect(refused.code).toBe(3)
    expect(parseJson(refused.stdout).error).toMatchObject({message: expect.stringContaining('line 2 has bytes that are not UTF-8'), hint: expect.stringContaining('--encoding windows-1252')})
    const res = await runCli(['account', 'import', file, '--encoding', 'windows-1252', '--json'], {env: env()})
    expect(res.code, res.stdout).toBe(0)
    expect(countByEmail('bjørn.ærlig@example.com')).toBe(1)
  })

  it('--skip-invalid imports the valid rows, reports the others as invalid and exits 6', async () => {
    const dir = work()
    const file = writeCsv(join(dir, 'mixed.csv'), [createRow(3100), ',nope,5,i,993,,,p,s,587,,,p', createRow(3101)])
    const res = await runCli(['account', 'import', file, '--skip-invalid'], {env: env()})
    expect(res.code).toBe(6)
    const results = readResults(readFileSync(`${file}.results.csv`, 'utf8'))
    expect(results.map((r) => r.status)).toEqual(['ok', 'invalid', 'ok'])
    expect(results[1]!.error).toMatch(/email/)
    expect(countByEmail('nope')).toBe(0)
  })

  it('--dry-run shows create/update/unchanged with changed fields, and writes nothing', async () => {
    const dir = work()
    const seed = writeCsv(join(dir, 'seed.csv'), [createRow(3200), createRow(3202)])
    await runCli(['account', 'import', seed], {env: env()})
    const [id, id2] = readResults(readFileSync(`${seed}.results.csv`, 'utf8')).map((r) => r.account_id)
    const file = writeCsv(join(dir, 'plan.csv'), [createRow(3201), `${id},,,new.example.com,,,,,,,,,changed-pw`, `${id2},,,,,,,,,,,,`])
    const before = sandbox.current.stats().acted
    const res = await runCli(['account', 'import', file, '--dry-run'], {env: env()})
    expect(res.code, res.stderr).toBe(0)
    expect(res.stdout).toMatch(/line 2\s+create\s+user3201@example.com/)
    expect(res.stdout).toMatch(new RegExp(`line 3\\s+update\\s+#${id}.*imap-server: imap.example.com → new.example.com; smtp-password changed`))
    expect(res.stdout).toMatch(/line 4\s+unchanged/)
    expect(res.stdout).toMatch(/1 to create, 1 to update, 1 unchanged/)
    expect(res.stdout).not.toContain('changed-pw')
    expect(sandbox.current.stats().acted).toBe(before)
    expect(existsSync(`${file}.results.csv`)).toBe(false)
  })

  it('--dry-run --skip-invalid shows repeated rows as invalid, naming the line they repeat, plans the rest, and exits 6 as the real run would', async () => {
    const dir = work()
    const file = writeCsv(join(dir, 'dups.csv'), [createRow(3250), createRow(3251), createRow(3250), '77,,,new.example.com,,,,,,,,,', '77,,,other.example.com,,,,,,,,,'])
    const refused = await runCli(['account', 'import', file, '--dry-run'], {env: env()})
    expect(refused.code, refused.stderr).toBe(3)
    expect(refused.stderr).toMatch(/line 4 repeats email user3250@example.com/)
    const res = await runCli(['account', 'import', file, '--dry-run', '--skip-invalid'], {env: env()})
    expect(res.code, res.stderr).toBe(6)
    expect(res.stderr).toMatch(/the import would not succeed for every row: 2 invalid \(skipped by --skip-invalid, or refused\), 1 whose account could not be read/)
    expect(res.stdout).toMatch(/line 2\s+create\s+user3250@example.com/)
    expect(res.stdout).toMatch(/line 4\s+invalid.*line 4 repeats email user3250@example.com with associate_id 5 from line 2/)
    expect(res.stdout).toMatch(/line 6\s+invalid.*line 6 repeats id 77 from line 5/)
    expect(res.stdout).toMatch(/2 to create, 0 to update, 0 unchanged, 2 invalid, 1 could not be read/)
  })

  it('reads standard input and streams ndjson events', async () => {
    const dir = work()
    const csv = [HEADER, createRow(3300), createRow(3301)].join('\r\n')
    const res = await runCli(['account', 'import', '-', '--output', 'ndjson', '--results', join(dir, 'stdin.results.csv')], {env: env(), input: csv})
    expect(res.code, res.stderr).toBe(0)
    const events = res.stdout.trim().split('\n').map((l) => JSON.parse(l) as {type: string; status?: string; line?: number})
    expect(events.filter((e) => e.type === 'row').map((e) => [e.line, e.status])).toEqual([
      [2, 'ok'],
      [3, 'ok'],
    ])
    expect(events.at(-1)?.type).toBe('summary')
    expect(res.stdout).not.toMatch(/imap-pw/)
  })

  it('refuses to run over an earlier journal without --resume; --resume skips done rows; a changed file needs --force', async () => {
    const dir = work()
    const file = writeCsv(join(dir, 'again.csv'), [createRow(3400), createRow(3401)])
    expect((await runCli(['account', 'import', file], {env: env()})).code).toBe(0)
    const again = await runCli(['account', 'import', file], {env: env()})
    expect(again.code).toBe(2)
    expect(again.stderr).toMatch(/--resume/)
    const resumed = await runCli(['account', 'import', file, '--resume', '--json'], {env: env()})
    expect(resumed.code, resumed.stdout).toBe(0)
    expect(parseJson(resumed.stdout).result).toMatchObject({counts: {ok: 2}, actions: {create: 0}, earlier: 2})
    expect(countByEmail('user3400@example.com')).toBe(1)
    writeCsv(file, [createRow(3400).replace('imap.example.com', 'imap2.example.com'), createRow(3401)])
    const changed = await runCli(['account', 'import', file, '--resume'], {env: env()})
    expect(changed.code).toBe(2)
    expect(changed.stderr).toMatch(/input file changed.*lines 2\b/)
    const forced = await runCli(['account', 'import', file, '--resume', '--force', '--json'], {env: env()})
    expect(forced.code, forced.stdout).toBe(0)
    expect(parseJson(forced.stdout).result).toMatchObject({actions: {update: 1, create: 0}})
    expect(countByEmail('user3400@example.com')).toBe(1)
    expect(sandbox.current.accounts().find((a) => a.emailAddress === 'user3400@example.com')?.incoming?.server).toBe('imap2.example.com')
    const restarted = await runCli(['account', 'import', file, '--restart'], {env: env()})
    expect(restarted.stderr).toMatch(/moved .* aside/)
  })

  it('export then import of the same file is unchanged; delete --from removes what an import created', async () => {
    const dir = work()
    const file = writeCsv(join(dir, 'rt.csv'), [createRow(3500), createRow(3501)])
    expect((await runCli(['account', 'import', file], {env: env()})).code).toBe(0)
    const out = join(dir, 'export.csv')
    const exp = await runCli(['account', 'export', '--ids-from', `${file}.results.csv`, '--out', out], {env: env()})
    expect(exp.code, exp.stderr).toBe(0)
    expect(readFileSync(out, 'utf8')).not.toMatch(/imap-pw/)
    const asJson = await runCli(['account', 'export', '--ids-from', `${file}.results.csv`, '--json'], {env: env()})
    expect(asJson.code, asJson.stderr).toBe(0)
    expect((JSON.parse(asJson.stdout) as {result: {rows: Array<{email: string}>}}).result.rows.map((r) => r.email)).toEqual(['user3500@example.com', 'user3501@example.com'])
    const reimport = await runCli(['account', 'import', out, '--json'], {env: env()})
    expect(reimport.code, reimport.stdout).toBe(0)
    expect(parseJson(reimport.stdout).result).toMatchObject({counts: {ok: 2}, actions: {unchanged: 2}})
    const del = await runCli(['account', 'delete', '--from', join(dir, 'rt.csv.results.created.csv'), '--yes'], {env: env()})
    expect(del.code, del.stderr).toBe(0)
    expect(countByEmail('user3500@example.com')).toBe(0)
    expect(countByEmail('user3501@example.com')).toBe(0)
  })
})

describe('interruption and resume', () => {
  it('kill -9 mid-run, then --resume: no duplicates, every ok row exists, unknown rows are at most those in flight', async () => {
    sandbox.current.setFaults({latencyMs: [5, 25]})
    try {
      const dir = work()
      const n = 2000
      const rows = Array.from({length: n}, (_, i) => createRow(100_000 + i))
      const file = writeCsv(join(dir, 'big.csv'), rows)
      const child = spawn(process.execPath, [BIN, 'account', 'import', file, '--concurrency', '16'], {env: cleanEnv(env()), stdio: 'ignore'})
      const journal = `${file}.results.csv.journal`
      // Kill once a few hundred rows are through, wherever the run is.
      await untilJournalDone(journal, 300)
      child.kill('SIGKILL')
      await new Promise((r) => child.on('close', r))
      const resumed = await runCli(['account', 'import', file, '--resume', '--concurrency', '16'], {env: env(), timeoutMs: 120_000})
      expect([0, 6]).toContain(resumed.code)
      const results = readResults(readFileSync(`${file}.results.csv`, 'utf8'))
      expect(results).toHaveLength(n)
      expect(results.map((r) => Number(r.line))).toEqual(rows.map((_, i) => i + 2))
      const stored = new Map<string, number>()
      for (const a of sandbox.current.accounts()) if (a.emailAddress?.startsWith('user1')) stored.set(a.emailAddress, (stored.get(a.emailAddress) ?? 0) + 1)
      for (const [email, count] of stored) expect(count, email).toBe(1)
      const unknown = results.filter((r) => r.status === 'unknown')
      expect(unknown.length).toBeLessThanOrEqual(16)
      for (const r of results) {
        if (r.status === 'ok') expect(stored.get(r.email ?? ''), r.email).toBe(1)
        else expect(r.status, `line ${r.line}: ${r.error}`).toBe('unknown')
      }
      for (let i = 0; i < n; i++) {
        const email = `user${100_000 + i}@example.com`
        if (!stored.has(email)) expect(results[i]!.status).toBe('unknown')
      }
    } finally {
      sandbox.current.setFaults({})
    }
  }, 180_000)

  it('Ctrl-C finishes the rows in flight, prints the resume command, exits 130; the resume completes the file', async () => {
    sandbox.current.setFaults({latencyMs: 30})
    try {
      const dir = work()
      const rows = Array.from({length: 300}, (_, i) => createRow(200_000 + i))
      const file = writeCsv(join(dir, 'int.csv'), rows)
      const child = spawn(process.execPath, [BIN, 'account', 'import', file, '--concurrency', '4'], {env: cleanEnv(env()), stdio: ['ignore', 'pipe', 'pipe']})
      let stderr = ''
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
      const journal = `${file}.results.csv.journal`
      await untilJournalDone(journal, 20)
      child.kill('SIGINT')
      const code = await new Promise<number | null>((r) => child.on('close', r))
      expect(code).toBe(130)
      expect(stderr).toMatch(/Stopping: no new rows/)
      expect(stderr).toContain(`soemail account import ${file} --concurrency 4 --resume`)
      const results = readResults(readFileSync(`${file}.results.csv`, 'utf8'))
      expect(results).toHaveLength(300)
      expect(results.some((r) => r.status === 'skipped')).toBe(true)
      expect(results.every((r) => r.status === 'ok' || r.status === 'skipped')).toBe(true)
      const resumed = await runCli(['account', 'import', file, '--concurrency', '4', '--resume', '--json'], {env: env(), timeoutMs: 60_000})
      expect(resumed.code, resumed.stdout).toBe(0)
      for (let i = 0; i < 300; i++) expect(countByEmail(`user${200_000 + i}@example.com`)).toBe(1)
    } finally {
      sandbox.current.setFaults({})
    }
  }, 120_000)
})

describe('import details', () => {
  it('a column it does not know stops the file (exit 3, nothing sent, suggestions in the --json details); --ignore-column imports the rest', async () => {
    const dir = work()
    const file = writeCsv(join(dir, 'extra.csv'), [`${createRow(3600)},Oslo`], `${HEADER},office`)
    const before = sandbox.current.stats().requests
    const res = await runCli(['account', 'import', file, '--json'], {env: env()})
    expect(res.code, res.stdout).toBe(3)
    const error = parseJson(res.stdout).error!
    expect(error.message).toMatch(/"office" \(column 14\): no known column is close/)
    expect(error.details).toMatchObject({unknownColumns: [{column: 'office', position: 14, suggestion: null}]})
    expect(sandbox.current.stats().requests).toBe(before)
    expect(existsSync(`${file}.results.csv`)).toBe(false)
    const ignored = await runCli(['account', 'import', file, '--ignore-column', 'office'], {env: env()})
    expect(ignored.code, ignored.stderr).toBe(0)
    expect(countByEmail('user3600@example.com')).toBe(1)
  })

  it('Port (IMAP) / Port (SMTP) columns are not dropped: exit 3 suggesting imap_port and smtp_port (also in --dry-run); mapped, the ports are imported', async () => {
    const dir = work()
    const header = 'email,associate_id,imap_server,Port (IMAP),imap_password,smtp_server,Port (SMTP),smtp_password'
    const file = writeCsv(join(dir, 'ports.csv'), ['user3650@example.com,5,imap.example.com,143,ipw,smtp.example.com,25,spw'], header)
    for (const extra of [[], ['--dry-run']]) {
      const res = await runCli(['account', 'import', file, ...extra, '--json'], {env: env()})
      expect(res.code, res.stdout).toBe(3)
      expect(parseJson(res.stdout).error!.details).toMatchObject({
        unknownColumns: [
          {column: 'Port (IMAP)', suggestion: 'imap_port'},
          {column: 'Port (SMTP)', suggestion: 'smtp_port'},
        ],
      })
      const text = await runCli(['account', 'import', file, ...extra], {env: env()})
      expect(text.code).toBe(3)
      expect(text.stderr).toContain('"Port (IMAP)" (column 4): did you mean imap_port?')
      expect(text.stderr).toMatch(/Known columns: id, email, associate, imap_server, imap_port/)
    }
    expect(countByEmail('user3650@example.com')).toBe(0)
    const mapped = await runCli(['account', 'import', file, '--map', 'Port (IMAP)=imap_port', '--map', 'Port (SMTP)=smtp_port'], {env: env()})
    expect(mapped.code, mapped.stderr).toBe(0)
    const stored = sandbox.current.accounts().find((a) => a.emailAddress === 'user3650@example.com')
    expect(stored).toMatchObject({incoming: {port: 143}, outgoing: {port: 25}})
  })

  it('on a terminal, running the same import again asks whether to resume', async () => {
    const {runInPty, ENTER} = await import('../helpers/pty.js')
    const dir = work()
    const file = writeCsv(join(dir, 'ask.csv'), [createRow(3700), createRow(3701)])
    expect((await runCli(['account', 'import', file], {env: env()})).code).toBe(0)
    const session = await runInPty(['account', 'import', file], [{when: /Resume it/, type: `y${ENTER}`}], env())
    expect(session.code, session.screen).toBe(0)
    expect(session.screen).toMatch(/2 done in an earlier run/)
    expect(countByEmail('user3700@example.com')).toBe(1)
  })
})
