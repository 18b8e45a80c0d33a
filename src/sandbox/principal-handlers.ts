import type {XmlFields} from '../soap/envelope.js'
import {childText, type OperationHandler} from './handler-kit.js'
import {findUser, type SandboxUser} from './users.js'

/** SoPrincipal's operations the sandbox answers; the other logins answer "not implemented". */
export const PRINCIPAL_HANDLERS: Record<string, OperationHandler> = {
  AuthenticateUsernamePassword: {
    run: (payload, ctx) => {
      const user = findUser(childText(payload, ctx.ns, 'UserName'), childText(payload, ctx.ns, 'Password'))
      // A wrong password is not an exception: NetServer answers AuthenticationSucceeded=false, Succeeded=true.
      if (!user) return [['Response', undefined], ['Credentials', undefined], ['AuthenticationSucceeded', false]]
      return [
        ['Response', principalCarrier(user)],
        ['Credentials', [['Ticket', ctx.store.issueTicket(user.associateId)]]],
        ['AuthenticationSucceeded', true],
      ]
    },
  },
  GetSystemInfo: {
    run: () => [['SystemInfo', systemInfo()]],
  },
}

/** SoPrincipalCarrier members in schema order; members the sandbox has no value for are left out. */
function principalCarrier(user: SandboxUser): XmlFields {
  return [
    ['UserType', 'InternalAssociate'],
    ['Associate', user.userName],
    ['AssociateId', user.associateId],
    ['IsPerson', true],
    ['PersonId', user.associateId],
    ['ContactId', 1],
    ['GroupId', 1],
    ['RoleName', 'User'],
    ['RoleType', 'Employee'],
    ['FullName', user.fullName],
    ['EMailAddress', user.email],
    ['DatabaseContextIdentifier', 'SANDBOX'],
  ]
}

function systemInfo(): XmlFields {
  return [
    ['BranchName', 'sandbox'],
    ['BuildLabel', 'soemail-sandbox'],
    ['AssemblyVersion', '10.0.0.0'],
    ['FileVersion', '10.0.0.0'],
    ['Description', 'soemail sandbox: a local stand-in for NetServer'],
    ['BuildType', 'Release'],
    ['IsUnicode', true],
    ['CompanyName', 'soemail sandbox'],
    ['DatabaseType', 'InMemory'],
    ['DatabaseName', 'sandbox'],
  ]
}
