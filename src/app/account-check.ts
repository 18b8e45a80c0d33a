import {AuthError, CliError, ExitCode, UsageError} from '../errors.js'
import type {ConnectionFlagValues} from '../flags.js'
import {log, note, type World} from './world.js'

export type AccountCheckOptions = ConnectionFlagValues & {
  /** Account ids given as arguments. */
  ids?: number[]
  from?: string
  all?: boolean
  verify?: boolean
  out?: string
  trace?: boolean
}

/** How many accounts are read (and verified) at a time: each verification is two logins on the server. */
const CHECKS_IN_FLIGHT = 4

/**
 * A health report of stored accounts: AccountStatus by name, ErrorCount and ErrorReason as the server's
 * sync left them, and with --verify a fresh login test of each side through the server. Exit 6 when any
 * account needs attention; --out writes an import file to repair them.
 */
export async function runAccountCheck(opts: AccountCheckOptions, world: World): Promise<unknown> {
  const sources = [opts.ids?.length ? 'ids' : undefined, opts.from, opts.all ? 'all' : undefined].filter(Boolean)
  if (sources.length !== 1) {
    throw new UsageError(sources.length === 0 ? 'say which accounts to check: account ids, --from FILE or --all' : 'give account ids, --from FILE or --all, not more than one', {
      hint: 'For example: soemail account check 12 13, soemail account check --from import.csv.results.csv, or soemail account check --all.',
    })
  }
  const [{readIdsFile}, {Limiter}, {accountHealth}, {verifyAccount}, wire] = await Promise.all([
    import('../bulk/ids.js'),
    import('../bulk/limiter.js'),
    import('../accounts/health.js'),
    import('../accounts/verify.js'),
    import('../connection/wire-facts.js'),
  ])
  const listed = opts.from ? readIdsFile(opts.from) : (opts.ids ?? [])
  if (opts.from && listed.length === 0) throw new UsageError(`${opts.from} lists no account ids`)
  const {email, call} = await world.connect(opts)

  const ids = opts.all ? (await call(() => email.getReadySyncEmailAccounts())).map((a) => a.accountId) : [...new Set(listed)]
  if (opts.all && ids.length === 0) note(world, 'The server lists no accounts ready to sync (GetReadySyncEmailAccounts).')
  if (opts.verify && ids.length > 0) note(world, `Testing the logins of ${ids.length} account(s) from the CRM server…`)

  type Health = ReturnType<typeof accountHealth>
  const report = await call(async () => {
    const limiter = new Limiter(CHECKS_IN_FLIGHT)
    const rows: Health[] = new Array(ids.length)
    const accounts = new Map<number, import('../soap/account-model.js').EMailAccount>()
    await Promise.all(
      ids.map(async (id, i) => {
        await limiter.acquire()
        try {
          const account = await email.getEMailAccount(id)
          if (account) accounts.set(id, account)
          const verification = account && opts.verify ? await verifyAccount(email, account) : undefined
          rows[i] = accountHealth(id, account, undefined, verification)
        } catch (error) {
          // A rejected ticket fails every account alike: stop with it (call() renews it once) instead of listing each.
          if (wire.isTicketRejection(error) || error instanceof AuthError) throw error
          rows[i] = accountHealth(id, undefined, wire.isNotFound(error) ? 'there is no e-mail account with this id' : wire.describeFailure(error))
        } finally {
          limiter.release()
        }
      }),
    )
    return {rows, accounts}
  })

  const attention = report.rows.filter((r) => r.attention)
  if (opts.out) await writeRepairFile(opts.out, attention, report.accounts, world)
  if (!world.json) {
    const {renderHealth} = await import('../output/check-view.js')
    log(world, renderHealth(report.rows, world.stdout.style, opts.verify ?? false))
  }
  const result = {checked: report.rows.length, attention: attention.length, accounts: report.rows, ...(opts.out ? {out: opts.out} : {})}
  if (attention.length > 0) {
    throw new CliError('PARTIAL', ExitCode.PARTIAL, `${attention.length} of ${report.rows.length} account(s) need attention`, {
      hint: opts.out ? `Fill in ${opts.out} (passwords are left empty) and run: soemail account import ${opts.out}` : 'Add --out repair.csv for a file to fix them with account import.',
      details: result,
    })
  }
  return result
}

async function writeRepairFile(
  file: string,
  rows: ReadonlyArray<{id: number; verify?: import('../accounts/verify.js').AccountVerification}>,
  accounts: ReadonlyMap<number, import('../soap/account-model.js').EMailAccount>,
  world: World,
): Promise<void> {
  const [{repairHeader, repairLine}, {writeFile}] = await Promise.all([import('../csv/repair-file.js'), import('node:fs/promises')])
  let text = repairHeader()
  let written = 0
  for (const row of rows) {
    const account = accounts.get(row.id)
    // An account that cannot be read cannot be repaired by an import: it is in the report, not the file.
    if (!account) continue
    const v = row.verify
    const sides = v && !v.ok ? (['incoming', 'outgoing'] as const).filter((s) => !v[s].ok) : (['incoming', 'outgoing'] as const)
    text += repairLine(account, sides)
    written++
  }
  await writeFile(file, text, {mode: 0o600})
  note(world, `wrote ${written} account(s) to repair to ${file}`)
}
