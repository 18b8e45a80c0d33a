/**
 * A private CA and a server certificate signed by it, made fresh with the openssl command line (Node can
 * make keys but not certificates). P-256 keys keep generation to a few milliseconds.
 */
import {execFileSync} from 'node:child_process'
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

export interface TestCa {
  dir: string
  /** The CA certificate, to pass with --ca-file. */
  caFile: string
  caPem: string
  /** A key and a certificate for the given names, signed by this CA. */
  server: {key: string; cert: string}
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, {cwd, stdio: ['ignore', 'ignore', 'pipe']})
}

/** `names` become subjectAltNames: IP addresses as IP entries, everything else as DNS entries. */
export function makeTestCa(label: string, names: string[] = ['127.0.0.1', 'localhost']): TestCa {
  const dir = mkdtempSync(join(tmpdir(), `soemail-ca-${label}-`))
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']
  openssl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', `/CN=soemail test CA ${label}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir)
  openssl(['req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', `/CN=${names[0] ?? 'localhost'}`], dir)
  const san = names.map((n) => (/^[\d.]+$|:/.test(n) ? `IP:${n}` : `DNS:${n}`)).join(',')
  writeFileSync(join(dir, 'server.ext'), `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=${san}\n`)
  const serial = `0x${Date.now().toString(16)}${Math.floor(Math.random() * 0xffff).toString(16)}`
  openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-set_serial', serial, '-days', '2', '-out', 'server.pem', '-extfile', 'server.ext'], dir)
  const read = (name: string) => readFileSync(join(dir, name), 'utf8')
  return {dir, caFile: join(dir, 'ca.pem'), caPem: read('ca.pem'), server: {key: read('server.key'), cert: read('server.pem')}}
}
