/** The NetServer SOAP versions whose account operations are identical apart from the version token. */
export const API_VERSIONS = ['86', '87', '88'] as const
export type ApiVersion = (typeof API_VERSIONS)[number]
export const DEFAULT_API_VERSION: ApiVersion = '87'

export type ServiceName = 'EMail' | 'SoPrincipal' | 'Archive'

export const SOAP11_ENV_NS = 'http://schemas.xmlsoap.org/soap/envelope/'
export const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance'

export function isApiVersion(value: string): value is ApiVersion {
  return (API_VERSIONS as readonly string[]).includes(value)
}

export function servicesNamespace(version: ApiVersion): string {
  return `http://www.superoffice.net/ws/crm/NetServer/Services${version}`
}

export function soapAction(version: ApiVersion, service: ServiceName, operation: string): string {
  return `${servicesNamespace(version)}/${service}/${operation}`
}

/** `base` is the installation's base URL, e.g. https://crm.example.com/SuperOffice. */
export function endpointUrl(base: string, version: ApiVersion, service: ServiceName): string {
  return `${base.replace(/\/+$/, '')}/Remote/Services${version}/${service}.svc`
}
