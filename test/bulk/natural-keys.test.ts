import {describe, expect, it} from 'vitest'
import type {Associate, Resolution} from '../../src/accounts/associates.js'
import {AssociateCheck} from '../../src/bulk/associates.js'
import {reportOf} from '../helpers/csv-input.js'

const HEADER = 'id,email,associate,imap_server,smtp_server,imap_password,smtp_password'
const person = (id: number, userName: string): Resolution => ({ok: true, associate: {id, userName, fullName: userName, email: `${userName}@firma.no`, active: true, type: 'associate'} satisfies Associate})
const refused: Resolution = {ok: false, problem: 'no user has the user name "nobody"', candidates: []}

describe('the keys pre-flight takes for the index of existing accounts', () => {
  it('creating rows give the associates their names resolved to; update rows give their ids, less those whose associate was refused', async () => {
    const file = [
      HEADER,
      ',a@example.no,kari,imap.example.no,smtp.example.no,p,q',
      ',b@example.no,34,imap.example.no,smtp.example.no,p,q',
      ',c@example.no,nobody,imap.example.no,smtp.example.no,p,q',
      '100,,per,,,,',
      '101,,nobody,,,,',
      '102,,,imap2.example.no,,,',
      ',d@example.no,KARI,imap.example.no,smtp.example.no,p,q',
      ',not-an-address,magnus,imap.example.no,smtp.example.no,p,q',
      '100,,,imap3.example.no,,,',
    ].join('\n')
    const report = await reportOf(file)
    // The bad address and the second row for id 100 are pre-flight's own problems: they give no keys.
    expect({valid: report.valid, invalid: report.invalid, creates: report.creates, updates: report.updates}).toEqual({valid: 7, invalid: 2, creates: 4, updates: 3})
    const resolutions = new Map<string, Resolution>([
      ['~kari', person(12, 'kari')],
      ['#34', person(34, 'per')],
      ['~nobody', refused],
      ['~per', person(34, 'per')],
    ])
    const keys = report.keys.resolve(new AssociateCheck(report.associates, resolutions))
    expect([...keys.associates].sort((a, b) => a - b)).toEqual([12, 34])
    expect([...keys.ids]).toEqual([
      [100, 5],
      [102, 7],
    ])
  })

  it('a file of updates names no associate to read', async () => {
    const report = await reportOf([HEADER, '7,,kari,,,,', '8,,,,smtp2.example.no,,'].join('\n'))
    const keys = report.keys.resolve(new AssociateCheck(report.associates, new Map([['~kari', person(12, 'kari')]])))
    expect(keys.associates.size).toBe(0)
    expect([...keys.ids]).toEqual([
      [7, 2],
      [8, 3],
    ])
  })
})
