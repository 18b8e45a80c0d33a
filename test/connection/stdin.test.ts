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

  it('on a terminal each secret is asked for by its label, in order, and nothing is read from the terminal as a line', async () => {
    const tty = Object.assign(Readable.from(['never read\n']), {isTTY: true})
    const asked: string[] = []
    const asker = {secret: async (message: string) => (asked.push(message), `typed ${asked.length}`)}
    const got = await readStdinSecrets(['--ticket-stdin', '--imap-password-stdin', '--smtp-password-prompt'], tty, asker)
    expect(asked).toEqual(['Ticket', 'IMAP password', 'SMTP password'])
    expect([...got]).toEqual([
      ['--ticket-stdin', 'typed 1'],
      ['--imap-password-stdin', 'typed 2'],
      ['--smtp-password-prompt', 'typed 3'],
    ])
  })

  it('a --…-prompt flag without a terminal is a usage error naming the --…-stdin form; nothing is asked', async () => {
    const asker = {secret: async () => expect.unreachable('asked')}
    await expect(readStdinSecrets(['--ticket-stdin', '--imap-password-prompt'], Readable.from(['T\n']), asker)).rejects.toThrow(/--imap-password-prompt asks on a terminal, but standard input is not one/)
  })
})
