import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {Readable} from 'node:stream'
import {parse as csvParse} from 'csv-parse/sync'
import fc from 'fast-check'
import {afterAll, describe, expect, it} from 'vitest'
import {CSV_FIELDS, formatRowProblem, knownDuplicates, openCsvInput, preflight, PROBLEM_CAP, readImportRows, type ImportRow} from '../../src/csv/reader.js'
import {importBatches} from '../../src/csv/rows.js'
import {CsvRecordSplitter} from '../../src/csv/split.js'
import {KeyTable} from '../../src/csv/row-keys.js'
import {UsageError, ValidationError} from '../../src/errors.js'
import {createLine, failureOf, HEADER, line, opener, reportOf, rowsOf} from '../helpers/csv-input.js'

const fixture = (name: string) => readFileSync(join(import.meta.dirname, '..', 'fixtures', 'csv', name))
const tmp = mkdtempSync(join(tmpdir(), 'soemail-csv-test-'))
afterAll(() => rmSync(tmp, {recursive: true, force: true}))

const problemsOf = (rows: ImportRow[]) => rows.flatMap((r) => r.problems.map(formatRowProblem))

describe('reading the file', () => {
  it('reads a comma file with LF endings into AccountInput, empty cells undefined', async () => {
    const rows = await rowsOf(fixture('minimal-comma.csv'))
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({
      line: 2,
      id: undefined,
      problems: [],
      email: 'ola@example.no',
      associateId: 1,
      input: {email: 'ola@example.no', associateId: 1, imap: {server: 'imap.example.no', password: 'a', port: undefined, username: undefined}, smtp: {server: 'smtp.example.no', password: 'b'}},
    })
  })

  it('reads CRLF files like LF files (the CR is not part of the last value)', async () => {
    const lf = fixture('minimal-comma.csv').toString()
    expect(await rowsOf(lf.replaceAll('\n', '\r\n'))).toEqual(await rowsOf(lf))
  })

  it('reads an Excel semicolon file: BOM, CRLF, quoted delimiters, doubled quotes, quoted CRLF, empty line, trailing delimiter, æøå', async () => {
    const rows = await rowsOf(fixture('excel-semicolon.csv'), {map: ['E-post=email', 'Bruker=associate_id']})
    expect(rows.map((r) => [r.line, r.id, r.problems])).toEqual([
      [2, undefined, []],
      [3, 17, []],
      [6, undefined, []],
    ])
    expect(rows[0]?.input).toEqual({
      email: 'bjørn.ærlig@eksempel.no',
      associateId: 12,
      imap: {server: 'imap.eksempel.no', port: 993, authType: 'password', username: 'bjørn', password: 'Blåbær;"syltetøy"'},
      smtp: {server: 'smtp.eksempel.no', port: 587, authType: 'password', username: 'bjørn', password: 'ÆØÅ-hemmelig'},
    })
    expect(rows[1]?.input.imap.password).toBe('to\r\nlinjer')
    expect(rows[2]?.input).toMatchObject({email: 'åse@eksempel.no', imap: {authType: 'oauth2', password: undefined}, smtp: {authType: 'OAuth2'}})
  })

  it('gives the same rows whatever size the chunks arrive in (splits inside quotes, CRLF and æøå)', async () => {
    const options = {map: ['E-post=email', 'Bruker=associate_id']}
    const whole = await rowsOf(fixture('excel-semicolon.csv'), options)
    for (const chunk of [1, 2, 3, 5, 17]) expect(await rowsOf(fixture('excel-semicolon.csv'), options, chunk)).toEqual(whole)
  })

  it('detects ; and , from the header, and tab', async () => {
    const values = {email: 'a@b.no', associate_id: '5', imap_server: 'i.no', smtp_server: 's.no', imap_password: 'x,y;z', smtp_password: 'p'}
    for (const delimiter of [',', ';', '\t']) {
      const quoted = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v.includes(delimiter) ? `"${v}"` : v]))
      // HEADER has every column but the Services88 (2026) ones.
      const report = await reportOf(`${HEADER.replaceAll(',', delimiter)}\n${line(quoted, delimiter)}\n`)
      expect(report).toMatchObject({delimiter, rows: 1, valid: 1, fields: CSV_FIELDS.filter((f) => !['inbox_folder', 'sent_folder', 'simple_mode'].includes(f))})
    }
  })

  it('lets the header decide between , and ; by the number of known columns', async () => {
    // Split at commas this header has no known column; at semicolons, three.
    const header = 'email;associate_id;imap_server,x;smtp_server;y'
    expect((await reportOf(`${header}\n`, {ignore: ['imap_server,x', 'y']})).delimiter).toBe(';')
    // A tie (one known column either way) goes to the comma.
    expect((await reportOf('email;associate_id,id\n', {ignore: ['#1']})).delimiter).toBe(',')
  })

  it('--delimiter overrides detection and accepts , ; \\t and tab', async () => {
    // Detection picks ; (three known columns against one), which leaves no id column; --delimiter , reads the id.
    const text = 'id,email;smtp_port;imap_port;smtp_server\n3,x\n'
    expect((await failureOf(() => reportOf(text))).message).toContain('"id,email" (column 1): no known column is close')
    expect((await failureOf(() => reportOf(text, {ignore: ['#1']}))).message).toBe('the file has no email or associate column and no id column, so no row can name an account')
    const report = await reportOf(text, {delimiter: ',', ignore: ['#2']})
    expect(report).toMatchObject({delimiter: ',', columns: ['id', 'email;smtp_port;imap_port;smtp_server'], fields: ['id'], valid: 1})
    for (const tab of ['\t', 'tab', 'TAB', '\\t']) expect((await reportOf('id\temail\n3\ta@b.no\n', {delimiter: tab})).delimiter).toBe('\t')
    const bad = await failureOf(() => reportOf(text, {delimiter: '|'}))
    expect(bad).toBeInstanceOf(UsageError)
    expect(bad.message).toBe('--delimiter "|" is not supported; use , ; or tab')
  })

  it('accepts header variants: case, spaces, - and _, surrounding blanks, E-mail', async () => {
    const report = await reportOf(' ID , E-Mail,Associate ID,IMAP Server,imap-port,Imap_Auth-Type ,SMTP  Server,smtp port,ImapPassword,smtp_password\n')
    expect(report.fields).toEqual(['id', 'email', 'associate', 'imap_server', 'imap_port', 'imap_auth_type', 'smtp_server', 'smtp_port', 'imap_password', 'smtp_password'])
    expect(report.columns[3]).toBe('IMAP Server')
    expect(report.ignoredColumns).toEqual([])
  })

  it('skips empty lines anywhere and Excel blank rows (;;;;) without counting them', async () => {
    const text = `\n \r\n${HEADER}\n\n${createLine(1)}\n,,,,,,,,,,,,\n   \n\n${createLine(2)}\n\n`
    const rows = await rowsOf(text)
    expect(rows.map((r) => [r.line, r.problems.length])).toEqual([
      [5, 0],
      [9, 0],
    ])
  })

  it('tolerates a trailing delimiter on every line, and rows without it', async () => {
    const rows = await rowsOf(`${HEADER},\n${createLine(1)},\n${createLine(2)}\n`)
    expect(rows.map((r) => r.problems)).toEqual([[], []])
    expect((await reportOf(`${HEADER},\n`)).columns).toEqual(HEADER.split(','))
    expect((await reportOf(`${HEADER};\n${createLine(1, ';')};\n`.replaceAll(',', ';'))).ignoredColumns).toEqual([])
  })

  it('counts lines physically: a quoted newline (LF or CRLF) moves later rows down', async () => {
    const text = [HEADER, line({id: '1', imap_password: '"a\nb\nc"'}), line({id: '2', imap_password: '"x\r\ny"'}), line({id: '3', imap_port: 'bad'})].join('\r\n')
    const rows = await rowsOf(text)
    expect(rows.map((r) => r.line)).toEqual([2, 5, 7])
    expect(problemsOf(rows)).toEqual(['line 7, column imap_port: imap_port is "bad"; a port is a whole number from 1 to 65535'])
  })

  it('reads old Mac files whose lines end in CR alone', async () => {
    const rows = await rowsOf(`${HEADER}\r${line({id: '1', smtp_password: '"a\rb"'})}\r${line({id: '2', smtp_port: '0'})}\r`)
    expect(rows.map((r) => [r.line, r.id])).toEqual([
      [2, 1],
      [4, 2],
    ])
    expect(rows[0]?.input.smtp.password).toBe('a\rb')
    expect(problemsOf(rows)).toEqual(['line 4, column smtp_port: smtp_port is 0; a port is a whole number from 1 to 65535'])
  })

  it('tolerates blanks around quotes, trims values but keeps passwords verbatim', async () => {
    const rows = await rowsOf(`id, email ,imap_password,smtp_username\n 4 , "a@b.no" , " pw " ,  bjørn  \n`)
    expect(rows[0]).toMatchObject({id: 4, problems: [], input: {email: 'a@b.no', imap: {password: ' pw '}, smtp: {username: 'bjørn'}}})
  })

  it('reads stdin through a private copy that can be opened twice', async () => {
    const input = await openCsvInput('-', Readable.from([Buffer.from(`${HEADER}\n${createLine(1)}\n`)]))
    try {
      expect(input.label).toBe('stdin')
      expect((await preflight(input.open, {})).valid).toBe(1)
      const again: ImportRow[] = []
      for await (const row of readImportRows(input.open, {})) again.push(row)
      expect(again.map((r) => r.email)).toEqual(['user1@example.no'])
    } finally {
      await input.dispose()
    }
    await expect(preflight(input.open, {})).rejects.toBeInstanceOf(UsageError)
  })

  it('reads a file path, and names a missing file as a usage error', async () => {
    const path = join(tmp, 'accounts.csv')
    writeFileSync(path, `${HEADER}\n${createLine(1)}\n`)
    const input = await openCsvInput(path)
    expect((await preflight(input.open, {})).valid).toBe(1)
    const missing = await failureOf(async () => preflight((await openCsvInput(join(tmp, 'nope.csv'))).open, {}))
    expect(missing).toBeInstanceOf(UsageError)
    expect(missing.exitCode).toBe(2)
    expect(missing.message).toBe(`${join(tmp, 'nope.csv')} does not exist`)
  })
})

describe('files that are not UTF-8 CSV', () => {
  const utf16 = (text: string, bom: Buffer) => Buffer.concat([bom, Buffer.from(text, 'utf16le')])
  // Excel's "Unicode text": UTF-16 LE with a BOM, tab-separated.
  const unicodeText = (rows: string[]) => utf16(rows.map((r) => r.replaceAll(',', '\t')).join('\r\n') + '\r\n', Buffer.from([0xff, 0xfe]))

  it('reads UTF-16 with a byte order mark (both byte orders) and tabs, as Excel saves "Unicode text"', async () => {
    const le = unicodeText([HEADER, createLine(1).replace('user1', 'bjørn'), createLine(2)])
    const be = Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(le.subarray(2)).swap16()])
    for (const bytes of [le, be]) {
      for (const chunk of [65_536, 1, 7]) {
        const rows = await rowsOf(bytes, {}, chunk)
        expect(rows.map((r) => [r.line, r.email, r.problems])).toEqual([[2, 'bjørn@example.no', []], [3, 'user2@example.no', []]])
      }
    }
    const report = await reportOf(le)
    expect(report).toMatchObject({delimiter: '\t', valid: 2})
  })

  it('reads Windows-1252 and ISO-8859-1 with --encoding, line numbers exact', async () => {
    const text = `${HEADER}\n${createLine(1)}\n${createLine(2).replace('user2', 'bjørn').replace(',993,', ',0,')}\n`
    for (const encoding of ['windows-1252', 'iso-8859-1', 'latin1']) {
      const rows = await rowsOf(Buffer.from(text, 'latin1'), {encoding}, 7)
      expect(rows.map((r) => r.email)).toEqual(['user1@example.no', 'bjørn@example.no'])
      expect(rows[1]!.problems.map(formatRowProblem)).toEqual([expect.stringMatching(/^line 3, column imap_port: /)])
    }
    // The euro sign is 0x80 in Windows-1252: proof the table is Windows-1252's, not Latin-1's.
    const euro = await rowsOf(Buffer.from(`${HEADER}\n${createLine(1).replace(',pw1,', ',pw\x80,')}\n`, 'latin1'), {encoding: 'windows-1252'})
    expect(euro[0]!.input.imap.password).toBe('pw€')
  })

  it('an unknown --encoding is a usage error naming the flag, before the file is read', async () => {
    const error = await failureOf(() => reportOf(`${HEADER}\n`, {encoding: 'klingon-8'}))
    expect(error).toBeInstanceOf(UsageError)
    expect(error.message).toBe('--encoding "klingon-8" is not an encoding soemail knows')
  })

  it('refuses UTF-16 without a byte order mark and binary files (NUL bytes), pointing at --encoding utf-16le', async () => {
    const noBom = Buffer.from(`${HEADER}\n`, 'utf16le')
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d])
    const lateNul = Buffer.concat([Buffer.from(`${HEADER}\n${createLine(1)}\n`), Buffer.from([0])])
    for (const bytes of [noBom, png, lateNul]) {
      const error = await failureOf(() => reportOf(bytes))
      expect(error).toBeInstanceOf(ValidationError)
      expect(error.message).toBe('the file contains NUL bytes: it is UTF-16 without a byte order mark, or not text at all')
      expect(error.hint).toContain('--encoding utf-16le')
    }
    const read = await rowsOf(noBom, {encoding: 'utf-16le'})
    expect(read).toEqual([])
  })

  it('refuses Windows-1252 (Excel\'s plain "CSV") without --encoding, naming the line with the first bad byte and the flag', async () => {
    const text = `${HEADER}\n${createLine(1)}\n${createLine(2).replace('user2', 'bjørn')}\n`
    const bytes = Buffer.from(text, 'latin1')
    for (const chunk of [65_536, 7]) {
      const error = await failureOf(() => reportOf(bytes, {}, chunk))
      expect(error).toBeInstanceOf(ValidationError)
      expect(error.message).toBe('the file is not UTF-8: line 3 has bytes that are not UTF-8 (Excel\'s plain "CSV" in Western Europe is Windows-1252)')
      expect(error.hint).toContain('--encoding windows-1252')
    }
  })

  it('refuses an empty file and a file of blank lines', async () => {
    for (const text of ['', '\n\r\n  \n', '\uFEFF']) {
      const error = await failureOf(() => reportOf(text))
      expect(error).toBeInstanceOf(ValidationError)
      expect(error.message).toMatch(/^the file is empty; it needs a header row/)
    }
  })

  it('stops on a quote that is never closed instead of reading the rest of a large file into one value', async () => {
    const body = Array.from({length: 30_000}, (_, i) => createLine(i)).join('\n')
    const error = await failureOf(() => reportOf(`${HEADER}\n${createLine(0).replace('pw0', '"pw0')}\n${body}\n`))
    expect(error).toBeInstanceOf(ValidationError)
    expect(error.message).toMatch(/^line 2: a record runs on for more than 1048576 characters, most likely from a quote \("\) that is never closed$/)
  })
})

describe('header and --map', () => {
  it('renames columns with --map (case- and separator-insensitive on both sides)', async () => {
    const report = await reportOf('Konto,E-post,Bruker\n3,a@b.no,5\n', {map: ['konto=id', 'e post=Email', 'BRUKER=associate-id']})
    expect(report).toMatchObject({fields: ['id', 'email', 'associate'], valid: 1, ignoredColumns: []})
  })

  it('refuses --map to an unknown field, naming the allowed ones; and malformed or dangling maps', async () => {
    const unknown = await failureOf(() => reportOf('E-post\n', {map: ['E-post=mail']}))
    expect(unknown).toBeInstanceOf(UsageError)
    expect(unknown.exitCode).toBe(2)
    expect(unknown.message).toBe(`--map "E-post=mail": "mail" is not a field; use one of ${CSV_FIELDS.join(', ')}`)
    expect((await failureOf(() => reportOf('id\n', {map: ['nothing']}))).message).toBe('--map "nothing" is not column=field')
    const dangling = await failureOf(() => reportOf('id,email\n', {map: ['Epost=email']}))
    expect(dangling).toBeInstanceOf(UsageError)
    expect(dangling.message).toBe('--map names a column "Epost" that the header does not have; its columns are: id, email')
  })

  it('refuses columns it does not know (exit 3), naming the nearest known column and every known one', async () => {
    const text = `${HEADER},Port (IMAP),E-post,Notes,\n${createLine(1)},143,x@y.no,"anything, really",\n`
    const error = await failureOf(() => reportOf(text))
    expect(error).toBeInstanceOf(ValidationError)
    expect(error.exitCode).toBe(3)
    expect(error.message).toMatch(/^the header has 3 columns soemail does not know; their values would be lost, so nothing was sent:/)
    expect(error.message).toContain('"Port (IMAP)" (column 14): did you mean imap_port?')
    expect(error.message).toContain('"E-post" (column 15): did you mean email?')
    expect(error.message).toContain('"Notes" (column 16): no known column is close')
    expect(error.hint).toContain(`Known columns: ${CSV_FIELDS.join(', ')}.`)
    expect(error.hint).toContain('--map "Port (IMAP)=imap_port"')
    expect((error as ValidationError).details).toEqual({
      unknownColumns: [
        {column: 'Port (IMAP)', position: 14, suggestion: 'imap_port', suggestions: ['imap_port']},
        {column: 'E-post', position: 15, suggestion: 'email', suggestions: ['email']},
        {column: 'Notes', position: 16, suggestion: null, suggestions: []},
      ],
      knownColumns: CSV_FIELDS,
    })
  })

  it('a nameless column in the middle is refused too; a trailing delimiter is not', async () => {
    const error = await failureOf(() => reportOf('id,,email,associate_id\n'))
    expect(error).toBeInstanceOf(ValidationError)
    expect(error.message).toContain('(no name, column 2): no known column is close')
    expect(error.hint).toContain('--ignore-column "#2"')
    expect((await reportOf('id,,email,associate_id\n', {ignore: ['#2']})).ignoredColumns).toEqual(['#2'])
  })

  it('--ignore-column leaves columns out by name or #position, and their values are not read', async () => {
    const text = `${HEADER},Notes,Avdeling\n${createLine(1)},"anything, really",IT\n`
    const report = await reportOf(text, {ignore: ['notes', '#15']})
    expect(report).toMatchObject({ignoredColumns: ['Notes', 'Avdeling'], valid: 1, headerProblems: []})
    // A known column can be left out too: its cells are then not read.
    const rows = await rowsOf(`${HEADER}\n${createLine(1)}\n`, {ignore: ['IMAP port']})
    expect(rows[0]!.input.imap?.port).toBeUndefined()
  })

  it('--ignore-column must name a column of the header, and not one that --map renames', async () => {
    const dangling = await failureOf(() => reportOf(`${HEADER}\n`, {ignore: ['Notes']}))
    expect(dangling).toBeInstanceOf(UsageError)
    expect(dangling.message).toMatch(/^--ignore-column names a column "Notes" that the header does not have; its columns are: id, email/)
    expect((await failureOf(() => reportOf(`${HEADER}\n`, {ignore: ['#99']}))).message).toBe('--ignore-column "#99": the header has 13 columns')
    expect((await failureOf(() => reportOf(`${HEADER}\n`, {ignore: ['#0']}))).message).toBe('--ignore-column "#0": columns are numbered from #1')
    const both = await failureOf(() => reportOf(`${HEADER},E-post\n`, {map: ['E-post=email'], ignore: ['E-post']}))
    expect(both).toBeInstanceOf(UsageError)
  })

  it('names the columns that creates need but the file lacks, once, not per row', async () => {
    const report = await reportOf('id,email,associate_id,imap_server,imap_password,smtp_password\n,a@b.no,1,i.no,p,q\n,c@d.no,2,i.no,p,q\n7,,,,,\n')
    expect(report.headerProblems).toEqual(['the file has no smtp_server column, but 2 rows create accounts (the first on line 2) and needs it'])
    expect(report).toMatchObject({rows: 3, valid: 1, invalid: 2, problems: [], problemCount: 0})
  })

  it('refuses a header that cannot name any account, or has no known column, or names a field twice', async () => {
    const noKey = await failureOf(() => reportOf('email,imap_server\na@b.no,i.no\n'))
    expect(noKey).toBeInstanceOf(ValidationError)
    expect(noKey.message).toBe('the file has no associate column and no id column, so no row can name an account')
    const noHeader = await failureOf(() => reportOf('a@b.no,5,imap.b.no\n'))
    expect(noHeader.message).toBe(`the first line is not a header: it has none of the columns ${CSV_FIELDS.join(', ')}`)
    const twice = await failureOf(() => reportOf('id,E-mail,email\n'))
    expect(twice.message).toBe('the header has two columns for email: "E-mail" (column 2) and "email" (column 3)')
  })

  it('accepts an update-only file with just id and the fields to change', async () => {
    const rows = await rowsOf('id,smtp_password\n12,nytt-passord\n')
    expect(rows[0]).toMatchObject({id: 12, problems: [], input: {email: undefined, smtp: {password: 'nytt-passord'}}})
  })
})

describe('row checks, each with its line and column', () => {
  const check = async (values: Record<string, string>) => problemsOf(await rowsOf(`${HEADER}\n${line(values)}\n`))
  const create = {email: 'a@b.no', associate_id: '5', imap_server: 'i.no', smtp_server: 's.no', imap_password: 'p', smtp_password: 'q'}

  it('passes a complete create and a bare update', async () => {
    expect(await check(create)).toEqual([])
    expect(await check({id: '9'})).toEqual([])
  })

  it('refuses a bad e-mail address', async () => {
    expect(await check({...create, email: 'a@b'})).toEqual(['line 2, column email: email "a@b" is not an e-mail address (expected name@domain.tld)'])
  })

  it('refuses ports outside 1-65535 and ports that are not whole numbers', async () => {
    expect(await check({...create, imap_port: '0', smtp_port: '65536'})).toEqual([
      'line 2, column imap_port: imap_port is 0; a port is a whole number from 1 to 65535',
      'line 2, column smtp_port: smtp_port is 65536; a port is a whole number from 1 to 65535',
    ])
    expect(await check({...create, imap_port: '993.0', smtp_port: 'abc'})).toEqual([
      'line 2, column imap_port: imap_port is "993.0"; a port is a whole number from 1 to 65535',
      'line 2, column smtp_port: smtp_port is "abc"; a port is a whole number from 1 to 65535',
    ])
    expect(await check({...create, imap_port: '1', smtp_port: '65535'})).toEqual([])
  })

  it('refuses ids and associate ids that are not positive whole numbers within int32; 0 creates', async () => {
    expect(await check({id: '-3'})).toEqual(['line 2, column id: id is "-3"; an account id is a whole number from 1 to 2147483647 (or empty to create an account)'])
    expect(await check({id: '2147483648'})).toEqual(['line 2, column id: id is 2147483648; an account id is a whole number from 1 to 2147483647 (or empty to create an account)'])
    expect(await check({id: '2147483647'})).toEqual([])
    expect(await check({id: '7', associate_id: '1.5'})).toEqual(['line 2, column associate_id: associate_id is "1.5"; an associate id is a whole number from 1 to 2147483647'])
    expect(await check({id: '7', associate_id: '0'})).toEqual(['line 2, column associate_id: associate_id is 0; an associate id is a whole number from 1 to 2147483647'])
    const rows = await rowsOf(`${HEADER}\n${line({...create, id: '0'})}\n`)
    expect(rows[0]).toMatchObject({id: undefined, problems: []})
  })

  it('requires e-mail, associate, both servers and both passwords on creates, as account save does', async () => {
    expect(await check({imap_port: '993'})).toEqual([
      'line 2, column email: email is required to create an account (the row has no id)',
      'line 2, column associate_id: associate_id is required to create an account (the row has no id)',
      'line 2, column imap_server: imap_server is required to create an account (the row has no id)',
      'line 2, column imap_password: imap_password is required to create an account (the row has no id), unless imap_auth_type is an OAuth type',
      'line 2, column smtp_server: smtp_server is required to create an account (the row has no id)',
      'line 2, column smtp_password: smtp_password is required to create an account (the row has no id), unless smtp_auth_type is an OAuth type',
    ])
  })

  it('needs no password when the auth type is OAuth, per side', async () => {
    expect(await check({...create, imap_password: '', imap_auth_type: 'OAuth2', smtp_password: ''})).toEqual([
      'line 2, column smtp_password: smtp_password is required to create an account (the row has no id), unless smtp_auth_type is an OAuth type',
    ])
  })

  it('does not also call a value missing when it was there but wrong', async () => {
    expect(await check({...create, associate_id: '-5'})).toEqual(['line 2, column associate_id: associate_id is "-5"; an associate id is a whole number from 1 to 2147483647'])
    // A user name or an e-mail address is the server's to find (the import resolves them after pre-flight).
    expect(await check({...create, associate_id: 'fem'})).toEqual([])
  })

  it('refuses texts over 256 characters, auth types included, and accepts 256', async () => {
    expect(await check({...create, imap_auth_type: 'x'.repeat(257), smtp_username: 'ø'.repeat(256)})).toEqual(['line 2, column imap_auth_type: imap_auth_type is 257 characters long; at most 256 fit'])
  })

  it('refuses characters XML 1.0 cannot carry', async () => {
    expect(await check({...create, smtp_password: 'a\u0001b'})).toEqual(['line 2, column smtp_password: smtp_password contains U+0001 at position 2, which cannot be sent'])
  })

  it('refuses a server name with blanks inside', async () => {
    expect(await check({...create, imap_server: '"imap example.no"'})).toEqual(['line 2, column imap_server: imap_server "imap example.no" is not a host name'])
  })

  it('names columns as the header writes them', async () => {
    const rows = await rowsOf('ID;SMTP Port\n5;70000\n')
    expect(problemsOf(rows)).toEqual(['line 2, column SMTP Port: SMTP Port is 70000; a port is a whole number from 1 to 65535'])
  })

  it('refuses a value past the header (a delimiter missing its quotes) and broken quoting', async () => {
    expect(problemsOf(await rowsOf(`id,smtp_password\n3,a,b\n`))).toEqual([
      'line 2, column 3: the row has more values than the header has columns (2); is a value with the delimiter in it missing its quotes?',
    ])
    expect(problemsOf(await rowsOf(`id,smtp_password\n3,"a"b\n4,c\n`))).toEqual([
      'line 2, column smtp_password: there is text after the closing quote; a quoted value must end at the delimiter, with quotes inside it doubled',
    ])
    const unclosed = await rowsOf(`id,smtp_password\n3,c\n4,"a\n5,b\n`)
    expect(unclosed.map((r) => [r.line, r.input.smtp.password])).toEqual([
      [2, 'c'],
      [3, 'a\n5,b\n'],
    ])
    expect(problemsOf(unclosed)).toEqual(['line 3, column smtp_password: a quoted value that starts on line 3 is never closed'])
  })

  it('reports every problem of a row at once', async () => {
    expect(await check({...create, email: 'nope', imap_port: '0', smtp_server: 'a b'})).toHaveLength(3)
  })
})

describe('duplicates', () => {
  it('names both lines when an id repeats', async () => {
    const report = await reportOf([HEADER, line({id: '17'}), createLine(1), line({id: '12'}), line({id: '17', smtp_password: 'x'})].join('\n'))
    expect(report.duplicates.map(formatRowProblem)).toEqual(['line 5, column id: line 5 repeats id 17 from line 2'])
    expect(report).toMatchObject({rows: 4, valid: 3, invalid: 1, duplicateCount: 1, problemCount: 0, problems: []})
  })

  it('names both lines when a create repeats e-mail (any case) and associate; other associates or updates are not repeats', async () => {
    const a = {email: 'Kari@Example.no', associate_id: '5', imap_server: 'i.no', smtp_server: 's.no', imap_password: 'p', smtp_password: 'q'}
    const text = [HEADER, line(a), line({...a, associate_id: '6'}), line({...a, id: '40'}), line({...a, email: 'kari@example.NO'}), line({...a, associate_id: '06'})].join('\n')
    const report = await reportOf(text)
    expect(report.duplicates.map(formatRowProblem)).toEqual([
      'line 5, column email: line 5 repeats email kari@example.NO with associate_id 5 from line 2',
      'line 6, column email: line 6 repeats email Kari@Example.no with associate_id 6 from line 3',
    ])
    // readImportRows carries the same verdict, so the apply pass skips the repeat without pre-flight's help.
    expect((await rowsOf(text)).map((r) => r.problems.length)).toEqual([0, 0, 0, 1, 1])
  })

  it('a second pass given pre-flight\'s duplicates gives the rows a pass that finds them itself gives', async () => {
    const a = {email: 'kari@example.no', associate_id: '5', imap_server: 'i.no', smtp_server: 's.no', imap_password: 'p', smtp_password: 'q'}
    const text = [HEADER, line(a), line({id: '17'}), line({...a, email: 'KARI@example.no'}), createLine(3), line({id: '17', imap_port: 'x'}), line(a)].join('\n')
    const report = await reportOf(text)
    const known = knownDuplicates(report)
    expect([...(known?.keys() ?? [])]).toEqual([4, 6, 7])
    const given: ImportRow[] = []
    for await (const batch of importBatches(opener(text), {}, undefined, known)) given.push(...batch)
    expect(given).toEqual(await rowsOf(text))
    expect(given.map((r) => r.problems.map(formatRowProblem))).toEqual([
      [],
      [],
      ['line 4, column email: line 4 repeats email KARI@example.no with associate_id 5 from line 2'],
      [],
      ['line 6, column imap_port: imap_port is "x"; a port is a whole number from 1 to 65535', 'line 6, column id: line 6 repeats id 17 from line 3'],
      ['line 7, column email: line 7 repeats email kari@example.no with associate_id 5 from line 2'],
    ])
  })

  it('pre-flight\'s duplicates are not taken as complete when there were more than it kept', async () => {
    const rows = Array.from({length: PROBLEM_CAP + 2}, () => line({id: '9'}))
    const report = await reportOf([HEADER, ...rows].join('\n'))
    expect(report.duplicateCount).toBe(PROBLEM_CAP + 1)
    expect(knownDuplicates(report)).toBeUndefined()
    expect(knownDuplicates({...report, duplicates: [], duplicateCount: 0})?.size).toBe(0)
  })

  it('keeps first lines exactly across table growth (thousands of keys)', () => {
    const table = new KeyTable()
    const hi = (i: number) => (i % 2 ? 0 : 0x9e3779b9)
    let added = 0
    for (let i = 1; i <= 50_000; i++) if (table.firstLine(hi(i), i, i + 1) === 0) added++
    expect(added).toBe(50_000)
    const firsts: number[] = []
    for (let i = 1; i <= 50_000; i += 997) firsts.push(table.firstLine(hi(i), i, 999_999))
    expect(firsts).toEqual(Array.from({length: firsts.length}, (_, k) => 1 + k * 997 + 1))
    expect(table.size).toBe(50_000)
    // Keys that share a low word are still different keys.
    const other = new KeyTable()
    const sameLow = Array.from({length: 2_000}, (_, h) => other.firstLine(h + 1, 5, 7))
    expect(sameLow.filter((first) => first !== 0)).toEqual([])
    table.release()
    expect(table.firstLine(0, 1, 5)).toBe(0)
  })
})

describe('row hash for resume', () => {
  it('is stable across delimiter, column order and header spelling, and changes with any value, passwords included', async () => {
    const base = (await rowsOf(`${HEADER}\n${createLine(1)}\n`))[0]?.hash
    expect(base).toMatch(/^[0-9a-f]{16}$/)
    const cols = HEADER.split(',')
    const cells = createLine(1).split(',')
    const order = [...cols.keys()].reverse()
    const reordered = `${order.map((i) => cols[i]?.toUpperCase().replace('_', ' ')).join(';')}\n${order.map((i) => cells[i]).join(';')}\n`
    expect((await rowsOf(reordered))[0]?.hash).toBe(base)
    expect((await rowsOf(`${HEADER}\n${createLine(1).replace('spw1', 'spw2')}\n`))[0]?.hash).not.toBe(base)
    expect((await rowsOf(`${HEADER}\n${createLine(1).replace('spw1', '')}\n`))[0]?.hash).not.toBe(base)
  })
})

describe('the record splitter agrees with csv-parse', () => {
  const cell = fc.oneof(fc.constantFrom('', ' ', 'æøå', 'ÆØÅ', '""', 'a"b', 'x,y', 'p;q', 'l1\nl2', 'c\r\nd', ' padded '), fc.string({maxLength: 6}))
  const quote = (v: string) => `"${v.replaceAll('"', '""')}"`

  it('splits random RFC 4180 documents identically, fed in random chunks', () => {
    fc.assert(
      fc.property(fc.array(fc.array(cell, {minLength: 1, maxLength: 5}), {minLength: 1, maxLength: 8}), fc.constantFrom(',', ';'), fc.constantFrom('\n', '\r\n'), fc.integer({min: 1, max: 9}), (records, delimiter, eol, chunk) => {
        // Quote what needs it (and the odd value that does not); a lone empty cell would be an empty line, so quote that too.
        const text = records.map((r) => r.map((v, i) => (/[",;\r\n]/.test(v) || v.startsWith(' ') || (r.length === 1 && v === '') || (i + v.length) % 4 === 0 ? quote(v) : v)).join(delimiter)).join(eol) + eol
        const expected = csvParse(text, {delimiter, relax_column_count: true, skip_empty_lines: false}) as string[][]
        const got: string[][] = []
        const lines: number[] = []
        const splitter = new CsvRecordSplitter(delimiter)
        for (let at = 0; at < text.length; at += chunk) splitter.push(text.slice(at, at + chunk), false, (cells, ln) => (got.push(cells), lines.push(ln)))
        splitter.push('', true, (cells, ln) => (got.push(cells), lines.push(ln)))
        expect(got).toEqual(expected)
        // Each record starts one line after the previous one's newlines (CRLF counts once).
        let expectedLine = 1
        records.forEach((r, i) => {
          expect(lines[i]).toBe(expectedLine)
          expectedLine += 1 + r.join('').split('\n').length - 1
        })
      }),
      {numRuns: 300},
    )
  })
})

describe('large files', () => {
  it('validates a generated 100,000-row file and counts right, with planted problems at known lines', async () => {
    const n = 100_000
    const badPort = new Set([10, 5_000, 99_999])
    function* generate(): Generator<Buffer> {
      yield Buffer.from(`\uFEFF${HEADER.replaceAll(',', ';')}\r\n`)
      let text = ''
      for (let i = 1; i <= n; i++) {
        let row = createLine(i, ';')
        if (badPort.has(i)) row = row.replace(';993;', ';99300;')
        if (i === 70_001) row = createLine(33, ';') // repeats row 33's e-mail and associate
        if (i % 1000 === 0) row = row.replace(`pw${i}`, `"pw;""${i}""\r\nøæå"`) // a quoted newline every 1000 rows
        text += `${row}\r\n`
        if (text.length > 60_000) {
          yield Buffer.from(text)
          text = ''
        }
      }
      yield Buffer.from(text)
    }
    const report = await preflight(() => Readable.from(generate()), {})
    expect(report).toMatchObject({rows: n, valid: n - 4, invalid: 4, creates: n - 4, updates: 0, problemCount: 3, duplicateCount: 1, delimiter: ';'})
    // Line of row i: 1 (header) + i, plus one per quoted newline in the rows before it (at every 1000th row).
    const lineOf = (i: number) => 1 + i + Math.floor((i - 1) / 1000)
    expect(report.problems.map((p) => [p.line, p.column])).toEqual([...badPort].map((i) => [lineOf(i), 'imap_port']))
    const dup = lineOf(70_001)
    expect(report.duplicates.map(formatRowProblem)).toEqual([`line ${dup}, column email: line ${dup} repeats email user33@example.no with associate_id 34 from line ${lineOf(33)}`])
  })

  it('caps the problems it keeps, but counts them all', async () => {
    const rows = Array.from({length: 1_500}, (_, i) => line({id: String(i + 1), smtp_port: 'x'}))
    const report = await reportOf(`${HEADER}\n${rows.join('\n')}\n`)
    expect(report).toMatchObject({rows: 1_500, invalid: 1_500, problemCount: 1_500})
    expect(report.problems).toHaveLength(1_000)
    expect(report.problems[999]?.line).toBe(1_001)
  })
})

describe('options are checked before the file is read', () => {
  it('throws a bad --map without opening the input', async () => {
    let opened = false
    const error = await failureOf(() =>
      preflight(() => {
        opened = true
        return opener('id\n')()
      }, {map: ['x=nope']}),
    )
    expect(error).toBeInstanceOf(UsageError)
    expect(opened).toBe(false)
  })
})
