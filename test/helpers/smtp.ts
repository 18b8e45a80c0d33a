/**
 * Real SMTP servers with AUTH for the login tests (the smtp-server package), on 127.0.0.1: one plain
 * submission port that offers STARTTLS (587-style) and one with TLS from the first byte (465-style), both
 * with a certificate from a test CA. AUTH is accepted only over TLS, as a real submission server does, so
 * a client that skipped STARTTLS fails.
 */
import type {AddressInfo} from 'node:net'
import {SMTPServer} from 'smtp-server'
import type {TestCa} from './tls-certs.js'

export const SMTP_USERS = {alice: 'alice-smtp-secret', bob: 'bob-smtp-secret'} as const

export interface SmtpServers {
  startTlsPort: number
  tlsPort: number
  /** Every AUTH attempt, in order: who, whether it succeeded and whether the connection was encrypted then. */
  attempts: Array<{user: string; ok: boolean; secure: boolean}>
  stop(): Promise<void>
}

function server(ca: TestCa, secure: boolean, attempts: SmtpServers['attempts']): SMTPServer {
  return new SMTPServer({
    secure,
    key: ca.server.key,
    cert: ca.server.cert,
    authMethods: ['PLAIN', 'LOGIN'],
    disabledCommands: [],
    logger: false,
    onAuth(auth, session, callback) {
      const user = auth.username ?? ''
      const ok = (SMTP_USERS as Record<string, string>)[user] === auth.password
      attempts.push({user, ok, secure: session.secure})
      if (ok) callback(null, {user})
      else callback(Object.assign(new Error('Invalid username or password'), {responseCode: 535}))
    },
  })
}

function listen(s: SMTPServer): Promise<number> {
  return new Promise((resolve, reject) => {
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => resolve((s.server.address() as AddressInfo).port))
  })
}

export async function startSmtpServers(ca: TestCa): Promise<SmtpServers> {
  const attempts: SmtpServers['attempts'] = []
  const startTls = server(ca, false, attempts)
  const tls = server(ca, true, attempts)
  const [startTlsPort, tlsPort] = await Promise.all([listen(startTls), listen(tls)])
  return {
    startTlsPort,
    tlsPort,
    attempts,
    stop: async () => {
      await Promise.all([startTls, tls].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))))
    },
  }
}
