import {afterAll, beforeAll} from 'vitest'
import {DOVECOT_BINARY, startDovecot, type Dovecot} from './dovecot.js'
import {startSmtpServers, type SmtpServers} from './smtp.js'
import {makeTestCa, type TestCa} from './tls-certs.js'

/**
 * Whether Dovecot is installed. Without it the IMAP login tests skip with a stated reason, unless
 * SOEMAIL_REQUIRE_DOVECOT=1 (CI, .ci/run), where a missing Dovecot fails the run instead.
 */
export function dovecotInstalled(): boolean {
  if (DOVECOT_BINARY) return true
  const how = 'Debian: apt-get install dovecot-imapd (.ci/system-packages installs it)'
  if (process.env.SOEMAIL_REQUIRE_DOVECOT === '1') throw new Error(`SOEMAIL_REQUIRE_DOVECOT=1 but Dovecot is not installed; ${how}`)
  console.warn(`skipping the IMAP login tests: Dovecot is not installed (${how})`)
  return false
}

export interface MailServers {
  ca: TestCa
  imap: Dovecot
  smtp: SmtpServers
}

/** Dovecot and the SMTP servers, sharing one test CA, for the tests of one file. */
export function useMailServers(): {readonly current: MailServers} {
  const holder: {current?: MailServers} = {}
  beforeAll(async () => {
    const ca = makeTestCa('mail')
    const [imap, smtp] = await Promise.all([startDovecot(ca), startSmtpServers(ca)])
    holder.current = {ca, imap, smtp}
  }, 30_000)
  afterAll(async () => {
    await Promise.all([holder.current?.imap.stop(), holder.current?.smtp.stop()])
  })
  return holder as {readonly current: MailServers}
}
