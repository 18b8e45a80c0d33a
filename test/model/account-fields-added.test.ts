/**
 * Adding a field is one catalogue entry plus its element in the wire sequence. This test adds one (a
 * made-up GraphFolder text member, after the Services88 2026 ones) to a copy of the catalogue and checks that it reaches every flag,
 * prompt-free input path, validation message, CSV column, merge/diff, view and wire table, with no other
 * file touched.
 */
import {describe, expect, it, vi} from 'vitest'
import type * as Catalogue from '../../src/model/account-fields.js'

const INBOX_FOLDER: Catalogue.FieldEntry = {
  name: 'graph_folder',
  role: 'setting',
  type: 'text',
  input: 'graphFolder',
  wire: {path: 'GraphFolder', key: 'graphFolder', type: 'string'},
  flag: 'graph-folder',
  summary: 'Folder that Inbox reads.',
  helpGroup: 'Account',
  column: 'graph_folder',
  view: {json: 'graphFolder', label: 'Graph folder', line: 28},
}

vi.mock('../../src/model/account-fields.js', async (importOriginal) => {
  const real = await importOriginal<typeof Catalogue>()
  const sequence = {...real.WIRE_SEQUENCE, EMailAccount: [...real.WIRE_SEQUENCE.EMailAccount, 'GraphFolder']}
  return {...real, ...real.makeCatalogue([...real.ENTRIES, INBOX_FOLDER], sequence), WIRE_SEQUENCE: sequence}
})

const {accountFieldFlags} = await import('../../src/flags.js')
const {inputFromFlags} = await import('../../src/accounts/from-flags.js')
const {validateInput} = await import('../../src/accounts/validate.js')
const {accountForCreate, diffAccounts, mergeAccount} = await import('../../src/accounts/merge.js')
const {accountView, renderAccount} = await import('../../src/output/account-view.js')
const {accountRow, CSV_FIELDS} = await import('../../src/csv/header.js')
const {emailAccountFields} = await import('../../src/soap/account-model.js')
const EMAIL_ACCOUNT_FIELDS = emailAccountFields('88')
const {rowsOf} = await import('../helpers/csv-input.js')

const plain = {bold: (s: string) => s, dim: (s: string) => s}
type WithFolder = {graphFolder?: string}

describe('a field added to the catalogue reaches every layer', () => {
  it('gets a flag, and flags fill the input', () => {
    expect(Object.keys(accountFieldFlags)).toContain('graph-folder')
    const input = inputFromFlags({'graph-folder': 'INBOX/CRM'}, new Map(), {})
    expect((input as WithFolder).graphFolder).toBe('INBOX/CRM')
  })

  it('is validated by its type, the message naming the flag or the column as written', async () => {
    const long = 'x'.repeat(257)
    expect(validateInput({imap: {}, smtp: {}, graphFolder: long} as never)).toEqual([{field: '--graph-folder', message: '--graph-folder is 257 characters long; at most 256 fit'}])
    const rows = await rowsOf(`id,Graph Folder\n5,${long}\n6,INBOX\n`)
    expect(rows.map((r) => r.problems.map((p) => `${p.column}: ${p.message}`))).toEqual([['Graph Folder: Graph Folder is 257 characters long; at most 256 fit'], []])
    expect((rows[1]?.input as WithFolder).graphFolder).toBe('INBOX')
  })

  it('is a CSV column that export writes, is created, merged, diffed and shown', () => {
    expect(CSV_FIELDS.at(-1)).toBe('graph_folder')
    const created = accountForCreate({email: 'a@b.no', associateId: 1, imap: {}, smtp: {}, graphFolder: 'INBOX'} as never)
    expect((created as WithFolder).graphFolder).toBe('INBOX')
    expect(accountRow(created, false).at(-1)).toBe('INBOX')
    const merged = mergeAccount(created, {imap: {}, smtp: {}, graphFolder: 'CRM'} as never)
    expect(diffAccounts(created, merged)).toEqual([{field: 'graph-folder', from: 'INBOX', to: 'CRM'}])
    expect((accountView(merged) as WithFolder).graphFolder).toBe('CRM')
    expect(renderAccount(accountView(merged), plain)).toMatch(/^Graph folder\s+CRM$/m)
  })

  it('goes on the wire at its position in the sequence', () => {
    expect(EMAIL_ACCOUNT_FIELDS.at(-1)).toEqual({element: 'GraphFolder', key: 'graphFolder', type: 'string'})
    expect(EMAIL_ACCOUNT_FIELDS.at(-2)?.element).toBe('LastFetch')
  })
})
