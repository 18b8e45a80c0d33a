import {domainToASCII} from 'node:url'
import type {UserNameForm} from './presets.js'

/**
 * The pure parts of detection: domains, how a server is shown, user-name forms. Apart from detect.ts so
 * that the import path and the server filling (fill.ts) do not load the DNS and HTTPS code with them.
 */

/** The domain of an address (or a bare domain), lower case, IDNs in their ASCII form; undefined if it is not one. */
export function domainOf(emailOrDomain: string): string | undefined {
  const raw = emailOrDomain.trim().replace(/^.*@/, '').replace(/\.$/, '')
  const ascii = raw ? domainToASCII(raw) : ''
  return /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/.test(ascii) ? ascii : undefined
}

/** `imap.example.no:993 (from SRV _imaps._tcp)` — the form the dry-run plan and `providers detect` show. */
export function formatServer(server: {host: string; port: number; from: string}): string {
  return `${server.host}:${server.port} (from ${server.from})`
}

/** The user name a form gives for an address; undefined for a mailbox user, which only the provider knows. */
export function userNameFor(form: UserNameForm | undefined, email: string): string | undefined {
  if (form === 'mailbox-user') return undefined
  return form === 'local-part' ? email.replace(/@[^@]*$/, '') : email
}
