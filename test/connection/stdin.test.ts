import {Readable} from 'node:stream'
import {describe, expect, it} from 'vitest'
import {readStdinSecrets} from '../../src/connection/stdin.js'

describe('secrets on stdin', () => {
  it('hands out one line per flag, in order, with CRLF or LF', async () => {
    const got = await readStdinSecrets(['--ticket-stdin', '--imap-password-stdin'], Readable.from(['T1\r\npass word\n']))
    expect([...got]).toEqual([
      ['--ticket-stdin', 'T1'],
      ['--imap-password-stdin', 'pass word'],
    ])
  })

  it('a missing line names the flag and the expected order', async () => {
    await expect(readStdinSecrets(['--ticket-stdin', '--smtp-password-stdin'], Readable.from(['only-one\n']))).rejects.toThrow(/--smtp-password-stdin was given but standard input has no line 2/)
  })
})
