import {CliError, ExitCode, NotFoundError, UsageError} from '../errors.js'
import type {ConnectionFlagValues} from '../flags.js'
import {note, type World} from './world.js'

export type AccountExportOptions = ConnectionFlagValues & {ids?: string; 'ids-from'?: string; out?: string; 'include-secrets'?: boolean; excel?: boolean; trace?: boolean}

/** Writes the accounts as CSV in the import format, to a 0600 file or stdout. */
export async function runAccountExport(opts: AccountExportOptions, world: World): Promise<unknown> {
  const {parseIdList, readIdsFile} = await import('../bulk/ids.js')
  const ids = [...(opts.ids ? parseIdList(opts.ids, '--ids') : []), ...(opts['ids-from'] ? readIdsFile(opts['ids-from']) : [])]
  if (ids.length === 0) throw new UsageError('no account ids: pass --ids 1,2,3 or --ids-from FILE')
  if (opts['include-secrets']) note(world, 'Warning: --include-secrets writes the stored passwords in clear text; keep the file private and delete it when done.')
  const {email, call} = await world.connect(opts)
  const [{exportAccounts, csvSink, objectSink}, {EXCEL_CSV, PLAIN_CSV}, fs] = await Promise.all([import('../bulk/export.js'), import('../csv/writer.js'), import('node:fs')])
  // An export has no input file to follow: plain CSV, or what Excel in a ; locale opens as columns.
  const dialect = opts.excel ? EXCEL_CSV : PLAIN_CSV
  const fd = opts.out ? fs.openSync(opts.out, 'w', 0o600) : undefined
  // With --json and no --out, stdout is one JSON document: the rows go into it instead of a CSV before it.
  const rows: Array<Record<string, string | number | undefined>> = []
  const sink = fd !== undefined ? csvSink((text) => fs.writeSync(fd, text), dialect) : world.json ? objectSink(rows) : csvSink((text) => world.stdout.write(text), dialect)
  let outcome
  try {
    outcome = await call(() => exportAccounts(email, [...new Set(ids)], {includeSecrets: opts['include-secrets'] ?? false, sink}))
  } finally {
    if (fd !== undefined) fs.closeSync(fd)
  }
  for (const m of outcome.missing) note(world, `account ${m.id}: ${m.error}`)
  if (opts.out) note(world, `wrote ${outcome.written} account(s) to ${opts.out}`)
  if (outcome.missing.some((m) => !m.notFound)) {
    throw new CliError('PARTIAL', ExitCode.PARTIAL, `${outcome.missing.length} of ${ids.length} accounts could not be exported`, {details: outcome})
  }
  if (outcome.missing.length > 0) {
    throw new NotFoundError(`${outcome.missing.length} of ${ids.length} account ids do not exist (${outcome.missing.slice(0, 10).map((m) => m.id).join(', ')}${outcome.missing.length > 10 ? ', …' : ''}); the others were exported`, {
      hint: 'An id from an older results or undo file may belong to an account deleted since.',
      details: outcome,
    })
  }
  return world.json ? (opts.out ? {written: outcome.written, out: opts.out} : {written: outcome.written, rows}) : undefined
}
