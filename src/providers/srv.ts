import type {SrvRecord} from 'node:dns'
import type {Security} from './presets.js'

/**
 * RFC 6186 / RFC 8314 service records, in the order soemail asks them: the implicit-TLS name first
 * (RFC 8314 prefers it, and it is the one SuperOffice's UseSSL switch expresses), then the STARTTLS one.
 */
export const SRV_SERVICES = {
  incoming: [
    {name: '_imaps._tcp', security: 'tls'},
    {name: '_imap._tcp', security: 'starttls'},
  ],
  outgoing: [
    {name: '_submissions._tcp', security: 'tls'},
    {name: '_submission._tcp', security: 'starttls'},
  ],
} as const satisfies Record<string, readonly {name: string; security: Security}[]>

export type SrvChoice = {offered: true; host: string; port: number} | {offered: false; reason: string}

/**
 * The record a client should use. A target of "." (an empty name once resolved) means "decidedly not
 * offered" (RFC 2782, RFC 6186 §3.4). Otherwise the lowest priority wins and, within it, the highest
 * weight: RFC 2782 picks at random in proportion to weight, which spreads load across clients but would
 * make one import fill the same field differently on different rows; the heaviest is the one the
 * random choice favours.
 */
export function chooseSrv(records: readonly SrvRecord[]): SrvChoice {
  const usable = records.filter((r) => r.name !== '' && r.name !== '.' && r.port > 0)
  if (usable.length === 0) return {offered: false, reason: records.length > 0 ? 'target "." (not offered)' : 'no record'}
  const best = [...usable].sort((a, b) => a.priority - b.priority || b.weight - a.weight)[0]!
  return {offered: true, host: best.name.replace(/\.$/, '').toLowerCase(), port: best.port}
}
