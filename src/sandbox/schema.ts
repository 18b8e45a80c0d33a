import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import type {ApiVersion, ServiceName} from '../soap/versions.js'

const XSD_DIR = fileURLToPath(new URL('../../schemas/xsd/', import.meta.url))

const SCHEMA_FILES: Record<ServiceName, {main: string; imports: string[]}> = {
  EMail: {main: 'email-services87.xsd', imports: ['email-ms-serialization-arrays.xsd', 'email-ms-serialization.xsd']},
  SoPrincipal: {
    main: 'soprincipal-services87.xsd',
    imports: ['soprincipal-System.Security.Cryptography.xsd', 'soprincipal-ms-serialization-arrays.xsd', 'soprincipal-ms-serialization.xsd'],
  },
}

export interface SchemaProblem {
  line?: number
  message: string
}

type FileInfo = {fileName: string; contents: string}
const cache = new Map<string, FileInfo[]>()

/** The schema set for one service and version: SOAP 1.1 envelope + the service's extracted XSDs. */
function schemaFiles(service: ServiceName, version: ApiVersion): FileInfo[] {
  const key = `${service}${version}`
  let files = cache.get(key)
  if (!files) {
    const {main, imports} = SCHEMA_FILES[service]
    const read = (name: string) => readFileSync(XSD_DIR + name, 'utf8').replaceAll('NetServer/Services87', `NetServer/Services${version}`)
    files = [
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
    cache.set(key, files)
  }
  return files
}

/**
 * Validates a whole SOAP envelope with libxml2 (xmllint compiled to WebAssembly). Header and Body
 * children are checked against their global declarations in the service schema.
 */
export async function validateEnvelope(xml: string, service: ServiceName, version: ApiVersion): Promise<SchemaProblem[]> {
  const {validateXML} = await import('xmllint-wasm')
  const [main, ...preload] = schemaFiles(service, version)
  const result = await validateXML({xml: [{fileName: 'request.xml', contents: xml}], schema: [main!], preload})
  return result.errors.map((e) => ({line: e.loc?.lineNumber, message: e.message.trim()}))
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
