import {describe, expect, it} from 'vitest'
import {presetByMx, presetByServer} from '../../src/providers/presets.js'

describe('finding a preset by server or MX host', () => {
  it('answers alike however often it is asked, with or without a port, in any case, also after thousands of other servers', () => {
    const asked = ['outlook.office365.com', 'OUTLOOK.office365.com:993', 'imap.gmail.com.', 'imap.example.no', ' ', '']
    const first = asked.map((s) => presetByServer(s)?.name)
    expect(first).toEqual(['microsoft365', 'microsoft365', 'google', undefined, undefined, undefined])
    // Thousands of servers no preset knows, asked in between: the answers stay the same.
    for (let i = 0; i < 2500; i++) expect(presetByServer(`imap${i}.example.no`)).toBeUndefined()
    expect(asked.map((s) => presetByServer(s)?.name)).toEqual(first)
    expect(presetByMx('company-no.mail.protection.outlook.com')?.name).toBe('microsoft365')
    expect(presetByMx('mx.example.no')).toBeUndefined()
    expect(presetByMx('company-no.mail.protection.outlook.com')?.name).toBe('microsoft365')
  })
})
