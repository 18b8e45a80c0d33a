import type {ApiVersion, ServiceName} from '../soap/versions.js'
import {ARCHIVE_HANDLERS} from './archive-handlers.js'
import {EMAIL_HANDLERS} from './email-handlers.js'
import type {OperationHandler} from './handler-kit.js'
import {PRINCIPAL_HANDLERS} from './principal-handlers.js'

/**
 * What the sandbox knows of each NetServer service beyond its WSDL (schemas/wsdl/ServicesNN-<name>.wsdl
 * gives the operations and SOAPActions). Serving another one is an entry here with its handlers and its
 * extracted XSDs in schemas/xsd/; routing, request checks and schema sets follow.
 */
export interface SchemaSet {
  main: string
  imports: readonly string[]
}

export interface NetServerService {
  /** The request headers its binding declares (FACTS.md §2), all in the services namespace. */
  headers: readonly string[]
  /** Whether its calls need a live ticket in Credentials (SoPrincipal's logins are how one gets one). */
  needsTicket: boolean
  /**
   * Its schema set in schemas/xsd/: the service schema and the files that one imports, written for
   * Services87 and used for every version with the version token replaced; `byVersion` names a version
   * whose published schema differs (Services88 EMail as published in 2026).
   */
  schema: SchemaSet & {byVersion?: Partial<Record<ApiVersion, SchemaSet>>}
  /** The operations it answers, by name; the rest of its WSDL's operations answer "not implemented". */
  handlers: Readonly<Record<string, OperationHandler>>
}

export const NETSERVER_SERVICES: Readonly<Record<ServiceName, NetServerService>> = {
  EMail: {
    headers: ['ApplicationToken', 'Credentials', 'TimeZone'],
    needsTicket: true,
    schema: {
      main: 'email-services87.xsd',
      imports: ['email-ms-serialization-arrays.xsd', 'email-ms-serialization.xsd'],
      byVersion: {'88': {main: 'email-services88.xsd', imports: ['email88-ms-serialization-arrays.xsd', 'email88-ms-serialization.xsd']}},
    },
    handlers: EMAIL_HANDLERS,
  },
  Archive: {
    headers: ['ApplicationToken', 'Credentials', 'TimeZone'],
    needsTicket: true,
    schema: {main: 'archive-services87.xsd', imports: ['archive-ms-serialization-arrays.xsd', 'archive-ms-serialization.xsd']},
    handlers: ARCHIVE_HANDLERS,
  },
  SoPrincipal: {
    headers: ['ApplicationToken'],
    needsTicket: false,
    schema: {
      main: 'soprincipal-services87.xsd',
      imports: ['soprincipal-System.Security.Cryptography.xsd', 'soprincipal-ms-serialization-arrays.xsd', 'soprincipal-ms-serialization.xsd'],
    },
    handlers: PRINCIPAL_HANDLERS,
  },
}
