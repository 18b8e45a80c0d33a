import {CliError, ExitCode} from '../errors.js'
import type {Detector} from '../providers/detect.js'
import {passwordPolicy, type PasswordVerdict} from '../providers/policy.js'
import type {EMailAccount, ServiceAuth} from '../soap/account-model.js'
import type {EMailService} from '../soap/email-service.js'
import {describeVerification, mxWarning, noMxText, sidesToVerify, verifyAccount, type AccountVerification} from './verify.js'

/**
 * What stands between a planned account and SaveEMailAccount, for `account save` and every import row
 * alike (DOMAIN.md): the password policy (Microsoft 365 is OAuth only), the MX advice, and the login test
 * the CRM server runs. One object per run, so a domain's MX is asked once however many rows share it.
 */
export interface SaveCheckOptions {
  /** --[no-]verify: test the logins before saving (creates, and updates of server, port, user or password). */
  verify: boolean
  /** --save-unverified: a failed login test is a warning, and the account is saved. */
  saveUnverified: boolean
  /** --allow-password-auth: a Microsoft 365 account is saved with a warning instead of refused. */
  allowPasswordAuth: boolean
  /** --offline: no DNS of any kind, neither here (MX for the policy) nor asked of the server (HasMXRecord). */
  offline: boolean
}

export type SaveCheckService = Pick<EMailService, 'authenticateIncoming' | 'authenticateOutgoing' | 'hasMXRecord'>

export interface SaveVerdict {
  /** The refusal, as the error a single save exits with; an import reports its message on the row. */
  refusal?: CliError
  /** Warnings to show (policy, MX, a failed test saved with --save-unverified). */
  warnings: string[]
  /** The login test, when one ran. */
  verification?: AccountVerification
  /** The login test ran and failed, and --save-unverified was not given: the account must not be saved. */
  verifyFailed?: CliError
}

/** Whether check() will run a login test (so a caller can say so first). */
export function needsLoginTest(options: SaveCheckOptions, account: EMailAccount, previous?: EMailAccount): boolean {
  return options.verify && sidesToVerify(account, previous).length > 0
}

/** Whether the verdict lets the save go ahead. */
export const mayBeSaved = (v: SaveVerdict): boolean => !v.refusal && !v.verifyFailed

const hostPort = (auth: ServiceAuth | undefined) => auth?.server && (auth.port ? `${auth.server}:${auth.port}` : auth.server)

export class SaveChecks {
  /** Per domain: whether the server finds no MX record for it. */
  private readonly noMx = new Map<string, Promise<boolean>>()

  constructor(
    private readonly email: SaveCheckService,
    private readonly options: SaveCheckOptions,
    private readonly detector?: Pick<Detector, 'mx'>,
  ) {}

  /**
   * Checks `account` as it will be stored (for an update, the stored account with the changes merged in;
   * `previous` is the stored one). The policy comes first: a refused account is not tested either.
   */
  async check(account: EMailAccount, previous?: EMailAccount): Promise<SaveVerdict> {
    const warnings: string[] = []
    const policy = await this.policy(account)
    if (policy.action === 'refuse') {
      return {warnings, refusal: new CliError(policy.code, ExitCode.VALIDATION, policy.message, {hint: policy.hint, details: {provider: policy.provider}})}
    }
    if (policy.action === 'warn') warnings.push(policy.message)

    const address = account.emailAddress
    if (address && !this.options.offline && address !== previous?.emailAddress) {
      const mx = await this.mxHint(address)
      if (mx) warnings.push(mx)
    }

    const sides = this.options.verify ? sidesToVerify(account, previous) : []
    if (sides.length === 0) return {warnings}
    const verification = await verifyAccount(this.email, account, sides)
    if (verification.ok) return {warnings, verification}
    const reason = describeVerification(verification)
    if (this.options.saveUnverified) return {warnings: [...warnings, `saved without a working login (--save-unverified): ${reason}`], verification}
    return {
      warnings,
      verification,
      verifyFailed: new CliError('VERIFY_FAILED', ExitCode.VALIDATION, `the login test failed, nothing saved: ${reason}`, {
        hint: 'Check the password, server and port (soemail providers detect ADDRESS suggests servers). --save-unverified saves the account anyway; --no-verify skips the test.',
        details: {verification},
      }),
    }
  }

  /** The password policy for the account's servers and, online, its domain's MX hosts. */
  async policy(account: EMailAccount): Promise<PasswordVerdict> {
    const servers = {incoming: hostPort(account.incoming), outgoing: hostPort(account.outgoing)}
    const mx = !this.options.offline && this.detector && account.emailAddress ? await this.detector.mx(account.emailAddress) : []
    return passwordPolicy(servers, mx, {allowPasswordAuth: this.options.allowPasswordAuth})
  }

  private async mxHint(address: string): Promise<string | undefined> {
    const domain = address.slice(address.lastIndexOf('@') + 1).trim().toLowerCase()
    if (!domain) return undefined
    let lacks = this.noMx.get(domain)
    if (!lacks) {
      lacks = mxWarning(this.email, address).then((w) => w !== undefined)
      this.noMx.set(domain, lacks)
      // A failure (a rejected ticket) is not kept: the caller renews the ticket and asks again.
      lacks.catch(() => this.noMx.delete(domain))
    }
    return (await lacks) ? noMxText(domain, address) : undefined
  }
}
