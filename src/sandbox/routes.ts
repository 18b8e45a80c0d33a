import type {ApiVersion, ServiceName} from '../soap/versions.js'
import type {LoginRoute} from './partner-service.js'
import {NETSERVER_SERVICES} from './services.js'

export interface Route {
  version: ApiVersion
  service: ServiceName
}

/** The sandbox's base path, like an onsite install under IIS's /SuperOffice application. */
export const BASE_PATH = '/SuperOffice'

// IIS matches paths case-insensitively, so clients that lower-case the URL still reach the service.
const SERVICE_PATH = /^\/superoffice\/remote\/services(86|87|88)\/([^/]+)\.svc$/i
const SERVICES_BY_PATH_NAME = new Map(Object.keys(NETSERVER_SERVICES).map((name) => [name.toLowerCase(), name as ServiceName]))

export function matchRoute(pathname: string): Route | undefined {
  const m = SERVICE_PATH.exec(pathname)
  const service = m && SERVICES_BY_PATH_NAME.get(m[2]!.toLowerCase())
  return service ? {version: m[1] as ApiVersion, service} : undefined
}

// SuperOffice Online's login service sits beside the tenants, at the host's /login (FACTS.md §5.3).
const LOGIN_PATHS: ReadonlyArray<readonly [RegExp, LoginRoute]> = [
  [/^\/login\/services\/partnersystemuserservice\.svc$/i, 'partner-system-user'],
  [/^\/login\/\.well-known\/jwks$/i, 'jwks'],
]

export function matchLoginRoute(pathname: string): LoginRoute | undefined {
  return LOGIN_PATHS.find(([re]) => re.test(pathname))?.[1]
}

/** `?wsdl` and `?singleWsdl`, in any case, as WCF accepts them. */
export function wantsWsdl(search: string): boolean {
  return /^\?(wsdl|singlewsdl)(=|&|$)/i.test(search)
}
