import {describe, expect, it} from 'vitest'
import {columnWords, suggestColumns} from '../../src/csv/unknown-columns.js'

describe('the nearest known column for an unknown header', () => {
  it('ignores case, punctuation and word order, and reads a few Nordic words', () => {
    expect(columnWords('Port (IMAP)')).toEqual(['imap', 'port'])
    expect(columnWords('imapPort')).toEqual(['imap', 'port'])
    expect(columnWords('E-post')).toEqual(['email'])
    expect(columnWords('Utgående server')).toEqual(['server', 'smtp'])
  })

  it.each([
    ['Port (IMAP)', ['imap_port']],
    ['Port (SMTP)', ['smtp_port']],
    ['E-post', ['email']],
    ['E-postadresse', ['email']],
    ['E-mail address', ['email']],
    ['Mail', ['email']],
    ['SMTP-passord', ['smtp_password']],
    ['Innkommende port', ['imap_port']],
    ['Utgående server', ['smtp_server']],
    ['Associate', ['associate']],
    ['imap_sever', ['imap_server']],
    // Ties are all named: a bare "Password" could be either side.
    ['Passord', ['imap_password', 'smtp_password']],
    ['Server', ['imap_server', 'smtp_server']],
    // Nothing near: no guess.
    ['Notes', []],
    ['Avdeling', []],
    ['office', []],
    ['', []],
  ])('%s -> %j', (header, expected) => {
    expect(suggestColumns(header)).toEqual(expected)
  })
})
