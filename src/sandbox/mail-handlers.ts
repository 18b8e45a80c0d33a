import type {XmlFields} from '../soap/envelope.js'
import type {XElement} from '../soap/xml-tree.js'
import {SoException, validationException} from './exceptions.js'
import {childElement, childText, type HandlerContext, type OperationHandler} from './handler-kit.js'
import {checkIncoming, checkOutgoing, hasMxRecord, type ConnectionInfo} from './mail-check.js'
import {MailTargetError} from './mail-target.js'

/**
 * The EMail agent's login tests and look-ups, done for real: the sandbox connects to the mail server and
 * logs in, as NetServer does from the CRM server. A failed login is `false`, not a refusal.
 */
export const MAIL_HANDLERS: Record<string, OperationHandler> = {
  AuthenticateIncoming: {run: (payload, ctx) => loginAnswer(checkIncoming, payload, ctx)},
  AuthenticateOutgoing: {run: (payload, ctx) => loginAnswer(checkOutgoing, payload, ctx)},
  HasMXRecord: {
    run: async (payload, ctx) => {
      const domain = childText(payload, ctx.ns, 'MailDomain')?.trim()
      if (!domain) throw validationException('MailDomain', 'HasMXRecord was called without a MailDomain.')
      return [['Response', await hasMxRecord(domain, ctx.mail)]]
    },
  },
}

async function loginAnswer(check: typeof checkIncoming, payload: XElement, ctx: HandlerContext): Promise<XmlFields> {
  const info = connectionInfo(payload, ctx.ns)
  try {
    return [['Response', await check(info, ctx.mail)]]
  } catch (error) {
    if (error instanceof MailTargetError) {
      throw new SoException({type: 'SoIllegalOperationException', message: `The sandbox did not test this login: ${error.message}.`, parameters: {ServerName: info.serverName ?? ''}})
    }
    throw error
  }
}

function connectionInfo(payload: XElement, ns: string): ConnectionInfo {
  const el = childElement(payload, ns, 'ConnectionInfo')
  if (!el) throw validationException('ConnectionInfo', 'The login test was called without a ConnectionInfo.')
  const text = (name: string) => childText(el, ns, name)
  const useSsl = text('UseSSL')?.trim()
  return {serverName: text('ServerName'), userName: text('UserName'), password: text('Password'), folder: text('Folder') || undefined, useSsl: useSsl === 'true' || useSsl === '1'}
}
