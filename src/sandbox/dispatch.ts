import {servicesNamespace} from '../soap/versions.js'
import {notImplementedException, sessionException, SoException, unexpectedException} from './exceptions.js'
import {DeserializationError, type HandlerContext} from './handler-kit.js'
import type {SoapRequest} from './request-check.js'
import {faultReply, soapAnswer, type HttpReply} from './responses.js'
import {NETSERVER_SERVICES} from './services.js'
import type {SandboxStore} from './store.js'
import {DEMO_DIRECTORY, UserDirectory} from './user-directory.js'
import {DEFAULT_MAIL_TIMEOUT_MS, type MailCheckOptions} from './mail-check.js'

/**
 * Runs one checked request the way NetServer does: EMail needs a live ticket, refusals come back as
 * Succeeded=false with ExceptionInfo (HTTP 200), and only deserialization problems become faults.
 * `onAuthenticated` hears of each EMail call whose ticket was accepted (fault injection counts them).
 * The answer is a promise only for operations that reach out (AuthenticateIncoming/Outgoing, HasMXRecord).
 */
export function dispatch(
  request: SoapRequest,
  store: SandboxStore,
  onUnexpected: (error: unknown) => void = () => {},
  onAuthenticated?: () => void,
  users: UserDirectory = DEFAULT_USERS,
  mail: MailCheckOptions = NO_MAIL_CHECKS,
): HttpReply | Promise<HttpReply> {
  const {service, operation, version} = request
  const {handlers, needsTicket} = NETSERVER_SERVICES[service]
  const handler = handlers[operation.name]
  const answer = (body: Parameters<typeof soapAnswer>[0]['body'], exception?: SoException['info']) =>
    soapAnswer({version, responseElement: operation.responseElement, body, exception})
  const failure = (error: unknown): HttpReply => {
    if (error instanceof DeserializationError) return faultReply('Client', error.message)
    if (error instanceof SoException) return answer(handler?.failureBody ?? [], error.info)
    onUnexpected(error)
    return answer(handler?.failureBody ?? [], unexpectedException(error))
  }
  try {
    const ctx: HandlerContext = {store, users, ns: servicesNamespace(version), version, associateId: 0, mail}
    if (needsTicket) {
      ctx.associateId = caller(request, store)
      onAuthenticated?.()
    }
    if (!handler) throw notImplementedException(service, operation.name)
    const body = handler.run(request.payload, ctx)
    // Only handlers that reach out (the mail login tests) are asynchronous; the store's stay synchronous.
    return body instanceof Promise ? body.then((b) => answer(b), failure) : answer(body)
  } catch (error) {
    return failure(error)
  }
}

const DEFAULT_USERS = new UserDirectory(DEMO_DIRECTORY)

/** A dispatcher built without mail settings refuses to reach any mail server. */
const NO_MAIL_CHECKS: MailCheckOptions = {allowRemote: false, timeoutMs: DEFAULT_MAIL_TIMEOUT_MS, log: () => {}}

function caller(request: SoapRequest, store: SandboxStore): number {
  const ticket = request.credentials?.ticket
  if (ticket === undefined) {
    throw sessionException(request.credentials ? 'the Credentials header holds no Ticket' : 'the request has no Credentials header')
  }
  const associateId = store.associateForTicket(ticket)
  if (associateId === undefined) throw sessionException('no live session has this ticket')
  return associateId
}
