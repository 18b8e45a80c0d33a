import type {ApiVersion, ServiceName} from '../soap/versions.js'

export interface Route {
  version: ApiVersion
  service: ServiceName
}

/** The sandbox's base path, like an onsite install under IIS's /SuperOffice application. */
export const BASE_PATH = '/SuperOffice'

// IIS matches paths case-insensitively, so clients that lower-case the URL still reach the service.
const SERVICE_PATH = /^\/superoffice\/remote\/services(86|87|88)\/(email|soprincipal)\.svc$/i

export function matchRoute(pathname: string): Route | undefined {
  const m = SERVICE_PATH.exec(pathname)
  if (!m) return undefined
  return {version: m[1] as ApiVersion, service: m[2]!.toLowerCase() === 'email' ? 'EMail' : 'SoPrincipal'}
}

/** `?wsdl` and `?singleWsdl`, in any case, as WCF accepts them. */
export function wantsWsdl(search: string): boolean {
  return /^\?(wsdl|singlewsdl)(=|&|$)/i.test(search)
}
