import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import type {ApiVersion, ServiceName} from '../soap/versions.js'
import {parseXml, type XElement} from '../soap/xml-tree.js'

const WSDL_DIR = fileURLToPath(new URL('../../schemas/wsdl/', import.meta.url))
const WSDL_NS = 'http://schemas.xmlsoap.org/wsdl/'
const WSDL_SOAP_NS = 'http://schemas.xmlsoap.org/wsdl/soap/'

export interface OperationInfo {
  name: string
  /** The binding's soapAction, the only action WCF's dispatcher accepts for this operation. */
  action: string
  /** Local name of the Body child the operation expects. */
  requestElement: string
  /** Local name of the Body child of the answer (SoPrincipal's logins all answer AuthenticateResponse). */
  responseElement: string
}

export function wsdlPath(version: ApiVersion, service: ServiceName): string {
  return `${WSDL_DIR}Services${version}-${service}.wsdl`
}

export function readWsdl(version: ApiVersion, service: ServiceName): string {
  return readFileSync(wsdlPath(version, service), 'utf8')
}

const catalogues = new Map<string, Map<string, OperationInfo>>()

/**
 * The operations of one service version, keyed by SOAPAction, read from the published WSDL so the
 * sandbox knows exactly the operations that version has (86 lacks some of 87's, 88 adds some).
 */
export function operationsByAction(version: ApiVersion, service: ServiceName): Map<string, OperationInfo> {
  const key = `${service}${version}`
  let catalogue = catalogues.get(key)
  if (!catalogue) {
    catalogue = buildCatalogue(parseXml(readWsdl(version, service)))
    catalogues.set(key, catalogue)
  }
  return catalogue
}

function buildCatalogue(definitions: XElement): Map<string, OperationInfo> {
  const wsdl = (el: XElement, local: string) => el.children.filter((c) => c.ns === WSDL_NS && c.local === local)
  const localName = (qname: string | undefined) => (qname ?? '').replace(/^[^:]*:/, '')

  const partElement = new Map<string, string>()
  for (const message of wsdl(definitions, 'message')) {
    const part = wsdl(message, 'part').find((p) => p.attrs.get('name') === 'parameters')
    if (part) partElement.set(message.attrs.get('name') ?? '', localName(part.attrs.get('element')))
  }

  const actions = new Map<string, string>()
  for (const binding of wsdl(definitions, 'binding')) {
    for (const op of wsdl(binding, 'operation')) {
      const soapOp = op.children.find((c) => c.ns === WSDL_SOAP_NS && c.local === 'operation')
      const action = soapOp?.attrs.get('soapAction')
      if (action) actions.set(op.attrs.get('name') ?? '', action)
    }
  }

  const catalogue = new Map<string, OperationInfo>()
  for (const portType of wsdl(definitions, 'portType')) {
    for (const op of wsdl(portType, 'operation')) {
      const name = op.attrs.get('name') ?? ''
      const action = actions.get(name)
      const input = partElement.get(localName(wsdl(op, 'input')[0]?.attrs.get('message')))
      const output = partElement.get(localName(wsdl(op, 'output')[0]?.attrs.get('message')))
      if (action && input && output) catalogue.set(action, {name, action, requestElement: input, responseElement: output})
    }
  }
  return catalogue
}
