import type {NetServerClient} from './client.js'
import {isNil, type XElement} from './xml-tree.js'

export interface Principal {
  associateId?: number
  associate?: string
  fullName?: string
  emailAddress?: string
}

export interface AuthenticateResult {
  succeeded: boolean
  ticket?: string
  principal: Principal
}

/** Remote/ServicesNN/SoPrincipal.svc: it takes only the ApplicationToken header. */
export class SoPrincipalService {
  constructor(private readonly client: NetServerClient) {}

  async authenticateUsernamePassword(userName: string, password: string): Promise<AuthenticateResult> {
    const res = await this.client.call('SoPrincipal', 'AuthenticateUsernamePassword', [['UserName', userName], ['Password', password]], {
      idempotent: true,
      credentials: false,
      responseElement: 'AuthenticateResponse',
    })
    const byName = (el: XElement | undefined, name: string) => el?.children.find((c) => c.local === name && !isNil(c))
    const carrier = byName(res.body, 'Response')
    const text = (name: string) => byName(carrier, name)?.text
    const id = text('AssociateId')
    return {
      succeeded: byName(res.body, 'AuthenticationSucceeded')?.text.trim() === 'true',
      ticket: byName(byName(res.body, 'Credentials'), 'Ticket')?.text || undefined,
      principal: {associateId: id ? Number.parseInt(id, 10) : undefined, associate: text('Associate'), fullName: text('FullName'), emailAddress: text('EMailAddress')},
    }
  }
}
