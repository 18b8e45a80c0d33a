/**
 * The files soemail writes about an import (results, undo, created) follow the input's dialect: its
 * delimiter, and a UTF-8 BOM when it had one (or was read with --encoding). An export has no input: plain
 * CSV, or `;` + BOM with --excel. Each file is read back by soemail itself (import, delete --from, export
 * --ids-from), as an admin would after editing it in Excel.
 */
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {parseJson, runCli} from '../helpers/cli.js'
import {createRow, HEADER} from '../helpers/import-csv.js'
import {useSandbox} from '../helpers/sandbox.js'

const sandbox = useSandbox({schemaCheck: false})
const env = () => ({SOEMAIL_URL: sandbox.current.url, SOEMAIL_TICKET: sandbox.current.demoTicket})
const work = () => mkdtempSync(join(tmpdir(), 'soemail-dialect-'))
const BOM = Buffer.from([0xef, 0xbb, 0xbf])
const account = (id: string) => sandbox.current.accounts().find((a) => String(a.emailAccountId) === id)

/** A file as Excel's "CSV UTF-8" writes it in a ; locale: BOM, ;, CRLF. */
function excelFile(path: string, lines: string[], delimiter = ';', bom = true): string {
  const text = lines.map((l) => l.replaceAll(',', delimiter)).join('\r\n') + '\r\n'
  writeFileSync(path, Buffer.concat([bom ? BOM : Buffer.alloc(0), Buffer.from(text)]))
  return path
}

/** The header line of a file soemail wrote, and whether the file starts with a BOM. */
function head(path: string): {bom: boolean; header: string} {
  const bytes = readFileSync(path)
  const bom = bytes.subarray(0, 3).equals(BOM)
  return {bom, header: bytes.subarray(bom ? 3 : 0).toString('utf8').split('\n')[0] as string}
}

/** Rows of a `;` file soemail wrote (no quoted cells in these tests), keyed by its header. */
function rows(path: string, delimiter = ';'): Array<Record<string, string>> {
  const [header, ...lines] = readFileSync(path, 'utf8').replace(/^\uFEFF/, '').trimEnd().split('\n')
  const columns = (header as string).split(delimiter)
  return lines.map((l) => Object.fromEntries(l.split(delimiter).map((cell, i) => [columns[i], cell])))
}

describe('files written about an import follow the input', () => {
  it('a ; file with a BOM gives ; + BOM results, created and undo files, which import, delete --from and export --ids-from read back', async () => {
    const dir = work()
    const seed = excelFile(join(dir, 'nye.csv'), [HEADER, createRow(7100).replace('user7100', 'bjørn.ærlig'), createRow(7101)])
    const res = await runCli(['account', 'import', seed, '--json'], {env: env()})
    expect(res.code, res.stdout + res.stderr).toBe(0)
    for (const file of [`${seed}.results.csv`, join(dir, 'nye.csv.results.created.csv')]) {
      expect(head(file).bom, file).toBe(true)
      expect(head(file).header, file).toContain(';')
      expect(head(file).header, file).not.toContain(',')
    }
    expect(head(`${seed}.results.csv`).header).toBe('line;email;associate_id;associate;action;status;account_id;attempts;error')
    const results = rows(`${seed}.results.csv`)
    expect(results.map((r) => [r.email, r.status, r.action])).toEqual([
      ['bjørn.ærlig@example.com', 'ok', 'create'],
      ['user7101@example.com', 'ok', 'create'],
    ])
    const ids = results.map((r) => r.account_id as string)

    // An update from a ; + BOM file: its undo file is ; + BOM too, and replaying it restores the values.
    const update = excelFile(join(dir, 'endre.csv'), [HEADER, `${ids[0]},,,imap.changed.example,,,,,,,,,`])
    expect((await runCli(['account', 'import', update], {env: env()})).code).toBe(0)
    expect(account(ids[0]!)?.incoming?.server).toBe('imap.changed.example')
    const undo = join(dir, 'endre.csv.results.undo.csv')
    expect(head(undo)).toEqual({bom: true, header: expect.stringMatching(/^id;email;associate;imap_server;/)})
    expect(rows(undo)[0]).toMatchObject({id: ids[0], email: 'bjørn.ærlig@example.com', imap_server: 'imap.example.com'})
    const replay = await runCli(['account', 'import', undo, '--results', join(dir, 'angre.results.csv'), '--json'], {env: env()})
    expect(replay.code, replay.stdout + replay.stderr).toBe(0)
    expect(parseJson(replay.stdout).result).toMatchObject({counts: {ok: 1}, actions: {update: 1}})
    expect(account(ids[0]!)?.incoming?.server).toBe('imap.example.com')

    // export --ids-from reads the ; results file; delete --from reads the ; created file.
    const exported = await runCli(['account', 'export', '--ids-from', `${seed}.results.csv`, '--json'], {env: env()})
    expect(exported.code, exported.stderr).toBe(0)
    expect((parseJson(exported.stdout).result as {written: number}).written).toBe(2)
    const del = await runCli(['account', 'delete', '--from', join(dir, 'nye.csv.results.created.csv'), '--yes'], {env: env()})
    expect(del.code, del.stderr).toBe(0)
    expect(ids.map(account)).toEqual([undefined, undefined])
  })

  it('a tab file without a BOM gives tab files without one; a , file stays , without a BOM; --encoding windows-1252 adds a BOM', async () => {
    const dir = work()
    const tabbed = excelFile(join(dir, 'tab.csv'), [HEADER, createRow(7200)], '\t', false)
    expect((await runCli(['account', 'import', tabbed], {env: env()})).code).toBe(0)
    expect(head(`${tabbed}.results.csv`)).toEqual({bom: false, header: 'line\temail\tassociate_id\tassociate\taction\tstatus\taccount_id\tattempts\terror'})
    expect(rows(`${tabbed}.results.csv`, '\t')[0]).toMatchObject({status: 'ok', action: 'create'})

    const plain = excelFile(join(dir, 'plain.csv'), [HEADER, createRow(7201)], ',', false)
    expect((await runCli(['account', 'import', plain], {env: env()})).code).toBe(0)
    expect(head(`${plain}.results.csv`)).toEqual({bom: false, header: 'line,email,associate_id,associate,action,status,account_id,attempts,error'})

    // soemail writes UTF-8; Excel takes a file without a BOM for its ANSI code page and garbles æøå.
    const ansi = join(dir, 'ansi.csv')
    writeFileSync(ansi, Buffer.from([HEADER, createRow(7202).replace('user7202', 'åse')].map((l) => l.replaceAll(',', ';')).join('\r\n') + '\r\n', 'latin1'))
    expect((await runCli(['account', 'import', ansi, '--encoding', 'windows-1252'], {env: env()})).code).toBe(0)
    expect(head(`${ansi}.results.csv`)).toMatchObject({bom: true, header: expect.stringContaining(';')})
    expect(rows(`${ansi}.results.csv`)[0]).toMatchObject({email: 'åse@example.com', status: 'ok'})
  })
})

describe('account export dialect', () => {
  it('writes , without a BOM by default, ; + BOM with --excel (file and stdout); both import back as unchanged', async () => {
    const dir = work()
    const seed = excelFile(join(dir, 'seed.csv'), [HEADER, createRow(7300)], ',', false)
    expect((await runCli(['account', 'import', seed], {env: env()})).code).toBe(0)
    const plain = join(dir, 'plain.csv')
    const excel = join(dir, 'excel.csv')
    expect((await runCli(['account', 'export', '--ids-from', `${seed}.results.csv`, '--out', plain], {env: env()})).code).toBe(0)
    expect((await runCli(['account', 'export', '--ids-from', `${seed}.results.csv`, '--out', excel, '--excel'], {env: env()})).code).toBe(0)
    expect(head(plain)).toEqual({bom: false, header: expect.stringMatching(/^id,email,associate,imap_server,/)})
    expect(head(excel)).toEqual({bom: true, header: expect.stringMatching(/^id;email;associate;imap_server;/)})
    const toStdout = await runCli(['account', 'export', '--ids-from', `${seed}.results.csv`, '--excel'], {env: env()})
    expect(toStdout.stdout.startsWith('\uFEFFid;email;')).toBe(true)
    for (const file of [plain, excel]) {
      const back = await runCli(['account', 'import', file, '--json'], {env: env()})
      expect(back.code, back.stdout).toBe(0)
      expect(parseJson(back.stdout).result).toMatchObject({counts: {ok: 1}, actions: {unchanged: 1}})
    }
  })
})
