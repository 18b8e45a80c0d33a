import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import {SOAP11_ENV_NS, type ApiVersion, type ServiceName} from '../soap/versions.js'
import {NETSERVER_SERVICES} from './services.js'

const XSD_DIR = fileURLToPath(new URL('../../schemas/xsd/', import.meta.url))

export interface SchemaProblem {
  line?: number
  message: string
}

type FileInfo = {fileName: string; contents: string}

/** The schema set for one service and version: SOAP 1.1 envelope + the service's extracted XSDs. */
function schemaFiles(service: ServiceName, version: ApiVersion): FileInfo[] {
  const {schema} = NETSERVER_SERVICES[service]
  const {main, imports} = schema.byVersion?.[version] ?? schema
  const read = (name: string) => readFileSync(XSD_DIR + name, 'utf8').replaceAll('NetServer/Services87', `NetServer/Services${version}`)
  return [
    {
      fileName: 'envelope-and-service.xsd',
      contents: `<?xml version="1.0"?><xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:soemail:schema-set" elementFormDefault="qualified">` +
        `<xs:import namespace="http://schemas.xmlsoap.org/soap/envelope/" schemaLocation="soap11-envelope.xsd"/>` +
        `<xs:import namespace="http://www.superoffice.net/ws/crm/NetServer/Services${version}" schemaLocation="${main}"/></xs:schema>`,
    },
    {fileName: 'soap11-envelope.xsd', contents: strictEnvelopeSchema(`http://www.superoffice.net/ws/crm/NetServer/Services${version}`)},
    {fileName: main, contents: read(main)},
    ...imports.map((name) => ({fileName: name, contents: read(name)})),
  ]
}

type Libxml2 = typeof import('libxml2-wasm')

let libxml2: Promise<{lib: Libxml2; files: InstanceType<Libxml2['XmlBufferInputProvider']>}> | undefined

/**
 * libxml2 compiled to WebAssembly, loaded on the first validation (its module compiles ~1 MB of wasm, which
 * `--no-schema-check` never needs), with an in-memory input provider through which the schemas' imports
 * are read.
 */
function loadLibxml2(): NonNullable<typeof libxml2> {
  libxml2 ??= import('libxml2-wasm').then((lib) => {
    const files = new lib.XmlBufferInputProvider({})
    lib.xmlRegisterInputProvider(files)
    return {lib, files}
  })
  return libxml2
}

/** Virtual paths the schema sets are served under; each service and version has its own folder. */
const VIRTUAL_ROOT = '/soemail-schemas/'

const validators = new Map<string, Promise<import('libxml2-wasm').XsdValidator>>()

/**
 * The compiled schema set for one service and version, built once and kept: compiling the 165 kB EMail
 * schema takes far longer than validating a request with it, so a request pays only for its own check.
 */
function validatorFor(service: ServiceName, version: ApiVersion): Promise<import('libxml2-wasm').XsdValidator> {
  const key = `${service}${version}`
  let validator = validators.get(key)
  if (!validator) {
    validator = loadLibxml2().then(({lib, files}) => {
      const dir = `${VIRTUAL_ROOT}${key}/`
      const encoder = new TextEncoder()
      const [main, ...rest] = schemaFiles(service, version)
      for (const file of rest) files.addBuffer(dir + file.fileName, encoder.encode(file.contents))
      const doc = lib.XmlDocument.fromString(main!.contents, {url: dir + main!.fileName})
      try {
        return lib.XsdValidator.fromDoc(doc)
      } finally {
        doc.dispose()
      }
    })
    // A failure is not cached: the next request tries again and reports the same error if it persists.
    validator.catch(() => validators.delete(key))
    validators.set(key, validator)
  }
  return validator
}

/**
 * Validates a whole SOAP envelope with libxml2 against the service's compiled schema set. Header and Body
 * children are checked against their global declarations in the service schema.
 */
export async function validateEnvelope(xml: string, service: ServiceName, version: ApiVersion): Promise<SchemaProblem[]> {
  const validator = await validatorFor(service, version)
  const {lib} = await loadLibxml2()
  let doc
  try {
    doc = lib.XmlDocument.fromString(xml, {url: 'request.xml'})
  } catch (error) {
    if (error instanceof lib.XmlLibError) return problemsOf(error)
    throw error
  }
  try {
    // mustUnderstand and actor belong to the SOAP envelope, which WCF reads before the message contract
    // sees the header; the header's own type in the service schema declares no such attributes.
    for (const attr of doc.root.find('/e:Envelope/e:Header/*/@e:mustUnderstand | /e:Envelope/e:Header/*/@e:actor', {e: SOAP11_ENV_NS})) attr.remove()
    validator.validate(doc)
    return []
  } catch (error) {
    if (error instanceof lib.XmlValidateError) return problemsOf(error)
    throw error
  } finally {
    doc.dispose()
  }
}

function problemsOf(error: import('libxml2-wasm').XmlLibError): SchemaProblem[] {
  const problems = error.details.map((d) => ({line: d.line > 0 ? d.line : undefined, message: d.message.trim()}))
  return problems.length > 0 ? problems : [{message: error.message.trim()}]
}

/**
 * The SOAP 1.1 envelope schema (http://schemas.xmlsoap.org/soap/envelope/), reduced to what a
 * basicHttpBinding request uses, with Body children held *strictly* to the service namespace: the
 * standard schema's lax wildcards would let an element in the wrong namespace through. Header children
 * are lax - a declared header is still validated in full - because WCF ignores foreign headers such as
 * WS-Addressing's; the request check (soap-check.ts) has already refused every header in the service
 * namespace that the service does not declare, and every one of its headers in a wrong namespace.
 */
function strictEnvelopeSchema(servicesNs: string): string {
  return `<?xml version="1.0"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:tns="http://schemas.xmlsoap.org/soap/envelope/" targetNamespace="http://schemas.xmlsoap.org/soap/envelope/" elementFormDefault="qualified">
  <xs:element name="Envelope"><xs:complexType><xs:sequence>
    <xs:element name="Header" minOccurs="0"><xs:complexType><xs:sequence>
      <xs:any namespace="##any" minOccurs="0" maxOccurs="unbounded" processContents="lax"/>
    </xs:sequence><xs:anyAttribute namespace="##other" processContents="lax"/></xs:complexType></xs:element>
    <xs:element name="Body"><xs:complexType><xs:sequence>
      <xs:any namespace="${servicesNs}" minOccurs="1" maxOccurs="1" processContents="strict"/>
    </xs:sequence><xs:anyAttribute namespace="##other" processContents="lax"/></xs:complexType></xs:element>
  </xs:sequence><xs:anyAttribute namespace="##other" processContents="lax"/></xs:complexType></xs:element>
</xs:schema>`
}
