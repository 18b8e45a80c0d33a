import {servicesNamespace} from '../soap/versions.js'
import {notImplementedException, sessionException, SoException, unexpectedException} from './exceptions.js'
import {DeserializationError, type HandlerContext} from './handler-kit.js'
import type {SoapRequest} from './request-check.js'
import {faultReply, soapAnswer, type HttpReply} from './responses.js'
import {NETSERVER_SERVICES} from './services.js'
import type {SandboxStore} from './store.js'
import {DEMO_DIRECTORY, UserDirectory} from './user-directory.js'

/**
 * Runs one checked request the way NetServer does: EMail needs a live ticket, refusals come back as
 * Succeeded=false with ExceptionInfo (HTTP 200), and only deserialization problems become faults.
 * `onAuthenticated` hears of each EMail call whose ticket was accepted (fault injection counts them).
 */
export function dispatch(
  request: SoapRequest,
  store: SandboxStore,
  onUnexpected: (error: unknown) => void = () => {},
  onAuthenticated?: () => void,
  users: UserDirectory = DEFAULT_USERS,
): HttpReply {
  const {service, operation, version} = request
  const {handlers, needsTicket} = NETSERVER_SERVICES[service]
  const handler = handlers[operation.name]
  const answer = (body: Parameters<typeof soapAnswer>[0]['body'], exception?: SoException['info']) =>
    soapAnswer({version, responseElement: operation.responseElement, body, exception})
  try {
    const ctx: HandlerContext = {store, users, ns: servicesNamespace(version), version, associateId: 0}
    if (needsTicket) {
      ctx.associateId = caller(request, store)
      onAuthenticated?.()
    }
    if (!handler) throw notImplementedException(service, operation.name)
    return answer(handler.run(request.payload, ctx))
  } catch (error) {
    if (error instanceof DeserializationError) return faultReply('Client', error.message)
    if (error instanceof SoException) return answer(handler?.failureBody ?? [], error.info)
    onUnexpected(error)
    return answer(handler?.failureBody ?? [], unexpectedException(error))
  }
}

const DEFAULT_USERS = new UserDirectory(DEMO_DIRECTORY)

function caller(request: SoapRequest, store: SandboxStore): number {
  const ticket = request.credentials?.ticket
  if (ticket === undefined) {
    throw sessionException(request.credentials ? 'the Credentials header holds no Ticket' : 'the request has no Credentials header')
  }
  const associateId = store.associateForTicket(ticket)
  if (associateId === undefined) throw sessionException('no live session has this ticket')
  return associateId
}
