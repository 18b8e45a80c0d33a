/**
 * One DNS zone and one autoconfig server with a domain for each detection source, shared by the
 * detection tests and the CLI test. Everything is on 127.0.0.1: with `env` set, nothing leaves the machine
 * (a name the zone lacks is NXDOMAIN, not a question to the real DNS).
 */
import {clientConfig, startAutoconfigServer, type AutoconfigServer} from './autoconfig-server.js'
import {startTestDns, type TestDns, type TestRecord} from './dns-server.js'

export interface DetectionFixtures {
  dns: TestDns
  https: AutoconfigServer
  /** SOEMAIL_DNS_SERVER, SOEMAIL_ISPDB_URL, SOEMAIL_AUTOCONFIG_PORT. */
  env: Record<string, string>
  close(): Promise<void>
}

const A = (name: string): TestRecord => ({name, type: 'A', data: '127.0.0.1'})
const srv = (name: string, priority: number, weight: number, port: number, target: string): TestRecord => ({name, type: 'SRV', data: {priority, weight, port, target}})

export const ZONE: TestRecord[] = [
  // mx: a custom domain on Microsoft 365, one on Google Workspace
  {name: 'm365.test', type: 'MX', data: {preference: 0, exchange: 'm365-test.mail.protection.outlook.com'}},
  {name: 'gw.test', type: 'MX', data: {preference: 5, exchange: 'alt1.aspmx.l.google.com'}},
  {name: 'gw.test', type: 'MX', data: {preference: 1, exchange: 'aspmx.l.google.com'}},
  // srv: priority beats weight, weight decides within a priority; "." = not offered
  {name: 'srv.test', type: 'MX', data: {preference: 10, exchange: 'mx.srv.test'}},
  srv('_imaps._tcp.srv.test', 10, 100, 993, 'imap-backup.srv.test'),
  srv('_imaps._tcp.srv.test', 0, 5, 993, 'imap-light.srv.test'),
  srv('_imaps._tcp.srv.test', 0, 10, 993, 'imap.srv.test'),
  srv('_submissions._tcp.srv.test', 0, 0, 0, '.'),
  srv('_submission._tcp.srv.test', 0, 0, 587, 'smtp.srv.test'),
  // srv for one side only: the other comes from the next source (the domain's autoconfig)
  srv('_imaps._tcp.half.test', 0, 0, 993, 'imap.half.test'),
  A('autoconfig.half.test'),
  // autoconfig: the domain's own autoconfig host; the .well-known file on the domain itself
  A('autoconfig.own.test'),
  A('wk.test'),
  // ispdb: by domain; by the MX host's domain; and a domain with nothing anywhere
  {name: 'hosted.test', type: 'MX', data: {preference: 10, exchange: 'mx1.hoster.test'}},
  {name: 'nothing.test', type: 'MX', data: {preference: 10, exchange: 'mx.nomail.test'}},
]

export async function startDetectionFixtures(): Promise<DetectionFixtures> {
  const dns = await startTestDns(ZONE)
  const https = await startAutoconfigServer(['autoconfig.own.test', 'wk.test', 'autoconfig.half.test'], {
    'autoconfig.own.test/mail/config-v1.1.xml': clientConfig('own.test', {host: 'mail.own.test', port: 143, socket: 'STARTTLS'}, {host: 'mail.own.test', port: 587, socket: 'STARTTLS'}),
    'wk.test/.well-known/autoconfig/mail/config-v1.1.xml': clientConfig('wk.test', {host: 'imap.wk.test', port: 993, socket: 'SSL', user: '%EMAILLOCALPART%'}, {host: 'smtp.wk.test', port: 465, socket: 'SSL'}),
    'autoconfig.half.test/mail/config-v1.1.xml': clientConfig('half.test', {host: 'other-imap.half.test', port: 993, socket: 'SSL'}, {host: 'smtp.half.test', port: 465, socket: 'SSL'}),
    '127.0.0.1/v1.1/isp.test': clientConfig('isp.test', {host: 'imap.isp.test', port: 993, socket: 'SSL'}, {host: 'smtp.isp.test', port: 587, socket: 'STARTTLS'}),
    '127.0.0.1/v1.1/hoster.test': clientConfig('hoster.test', {host: 'imap.hoster.test', port: 993, socket: 'SSL'}, {host: 'smtp.hoster.test', port: 465, socket: 'SSL'}),
  })
  return {
    dns,
    https,
    env: {SOEMAIL_DNS_SERVER: dns.server, SOEMAIL_ISPDB_URL: https.ispdbUrl, SOEMAIL_AUTOCONFIG_PORT: String(https.port)},
    close: async () => {
      await dns.close()
      await https.close()
    },
  }
}
