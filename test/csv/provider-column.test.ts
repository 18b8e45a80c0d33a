import {describe, expect, it} from 'vitest'
import {formatRowProblem} from '../../src/csv/reader.js'
import {rowsOf} from '../helpers/csv-input.js'

/** The `provider` column: a built-in preset fills the servers, ports and user names a row leaves empty. */
describe('the provider column', () => {
  const header = 'email,associate,provider,imap_server,imap_password,smtp_password,smtp_port'

  it('fills a create row from the preset; a given cell wins; the row then needs no server columns', async () => {
    const [plain, mixed] = await rowsOf(`${header}\nkari@example.no,kari,one.com,,in,out,\nola@example.no,ola,Google,imap.example.no,in,out,2525\n`)
    expect(plain!.problems).toEqual([])
    expect(plain!.input).toMatchObject({imap: {server: 'imap.one.com', port: 993, username: 'kari@example.no'}, smtp: {server: 'send.one.com', port: 465, username: 'kari@example.no'}})
    // The given IMAP server is not Google's, so neither its port nor its user name is guessed; SMTP keeps its given port.
    expect(mixed!.problems).toEqual([])
    expect(mixed!.input.imap).toEqual({server: 'imap.example.no', password: 'in'})
    expect(mixed!.input.smtp).toMatchObject({server: 'smtp.gmail.com', port: 2525})
  })

  it('an unknown provider is a row problem naming the column and the presets; a row without one still needs its servers', async () => {
    const rows = await rowsOf(`${header}\nkari@example.no,kari,hotmale,,in,out,\neva@example.no,eva,,,in,out,\n`)
    // The servers it would have filled are then missing too, and said so.
    expect(rows[0]!.problems.map(formatRowProblem)).toEqual([
      expect.stringMatching(/^line 2, column provider: provider "hotmale" is not a known provider; use one of microsoft365, .*one\.com/),
      expect.stringMatching(/imap_server is required/),
      expect.stringMatching(/smtp_server is required/),
    ])
    expect(rows[1]!.problems.map(formatRowProblem).join('\n')).toMatch(/imap_server is required to create an account/)
  })

  it('an update row by id takes the servers but keeps its stored user name (the row has no address)', async () => {
    const [row] = await rowsOf(`id,provider\n42,fastmail\n`)
    expect(row!.problems).toEqual([])
    expect(row!.input.imap).toEqual({server: 'imap.fastmail.com', port: 993})
  })

  it('the provider is part of the row as resume compares it', async () => {
    const [a] = await rowsOf(`${header}\nkari@example.no,kari,one.com,,in,out,\n`)
    const [b] = await rowsOf(`${header}\nkari@example.no,kari,google,,in,out,\n`)
    expect(a!.hash).not.toBe(b!.hash)
  })
})
