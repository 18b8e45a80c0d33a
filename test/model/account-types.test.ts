import {describe, expectTypeOf, it} from 'vitest'
import type {AccountInput, ServerInput} from '../../src/accounts/input.js'
import type {AccountView, ServerView} from '../../src/output/account-view.js'
import type {EMailAccount, ServiceAuth} from '../../src/soap/account-model.js'

/**
 * The shapes derived from the catalogue (src/model/account-types.ts), held to what the code was written
 * against. These are type assertions: `npm run typecheck` (tsc over test/) fails when a derivation drifts,
 * e.g. a member turning into `never` or a field vanishing.
 */
describe('account shapes derived from the field catalogue', () => {
  it('ServiceAuth and EMailAccount, by wire key', () => {
    expectTypeOf<ServiceAuth>().toEqualTypeOf<{serviceAuthId?: number; server?: string; port?: number; authType?: string; username?: string; password?: string}>()
    expectTypeOf<Omit<EMailAccount, 'incoming' | 'outgoing'>>().toEqualTypeOf<{
      emailAccountId?: number
      emailAddress?: string
      associateId?: number
      accountStatus?: number
      errorCount?: number
      errorReason?: string
      inboxFolder?: string
      sentFolder?: string
      simpleMode?: number
      lastFetch?: string
    }>()
    expectTypeOf<EMailAccount['incoming']>().toEqualTypeOf<ServiceAuth | undefined>()
  })

  it('AccountInput and ServerInput, by input member', () => {
    expectTypeOf<ServerInput>().toEqualTypeOf<{server?: string; port?: number; authType?: string; username?: string; password?: string}>()
    expectTypeOf<Omit<AccountInput, 'imap' | 'smtp'>>().toEqualTypeOf<{email?: string; associateId?: number | string; inboxFolder?: string; sentFolder?: string; simpleMode?: number}>()
    expectTypeOf<AccountInput['imap']>().toEqualTypeOf<ServerInput>()
  })

  it('the --json view, by view.json', () => {
    expectTypeOf<ServerView>().toEqualTypeOf<{serviceAuthId?: number; server?: string; port?: number; authType?: string; username?: string; password?: string}>()
    expectTypeOf<AccountView['lastFetch']>().toEqualTypeOf<string | null | undefined>()
    expectTypeOf<AccountView['id']>().toEqualTypeOf<number | undefined>()
    expectTypeOf<AccountView['email']>().toEqualTypeOf<string | undefined>()
  })
})
