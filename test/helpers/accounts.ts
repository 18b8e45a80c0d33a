import type {EMailAccount} from '../../src/soap/account-model.js'

/**
 * Jane Doe's account, every field set: the values zeep rendered the reference envelopes from
 * (test/fixtures/reference-envelopes), and the account test/helpers/soap-responder.ts answers with
 * (ids 101, 201, 202). `ids`: the account's and its two ServiceAuths' ids, 0 for a create.
 */
export function janeDoe({ids = [0, 0, 0], errorReason = ''}: {ids?: [number, number, number]; errorReason?: string} = {}): EMailAccount {
  const [account, incoming, outgoing] = ids
  return {
    emailAccountId: account,
    emailAddress: 'jane.doe@example.com',
    associateId: 5,
    incoming: {serviceAuthId: incoming, server: 'imap.example.com', port: 993, authType: 'imap', username: 'jane.doe@example.com', password: 'in-secret'},
    outgoing: {serviceAuthId: outgoing, server: 'smtp.example.com', port: 587, authType: 'smtp', username: 'jane.doe@example.com', password: 'out-secret'},
    accountStatus: 1,
    errorCount: 0,
    errorReason,
  }
}

/** A new account for `address` owned by `associateId`, with made-up servers: for tests of matching and listing, not of logins. */
export function plainAccount(address: string, associateId: number): EMailAccount {
  return {
    emailAccountId: 0,
    emailAddress: address,
    associateId,
    incoming: {serviceAuthId: 0, server: 'imap.example.com', port: 993, authType: 'plain', username: address, password: 'in'},
    outgoing: {serviceAuthId: 0, server: 'smtp.example.com', port: 587, authType: 'plain', username: address, password: 'out'},
  }
}
