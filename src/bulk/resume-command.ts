/** The same command with --resume, without secrets given as flags. */
export function resumeCommand(id: string | undefined, argv: string[]): string {
  const kept = redactArgv(argv).filter((a) => a !== '--restart' && a !== '--resume' && a !== '--dry-run')
  return ['soemail', ...(id ?? 'account import').split(':'), ...kept.map(shellQuote), '--resume'].join(' ')
}

const SECRET_FLAGS = new Set(['--ticket', '--app-token'])

export function redactArgv(argv: string[]): string[] {
  const out: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    const eq = a.indexOf('=')
    const name = eq > 0 ? a.slice(0, eq) : a
    if (SECRET_FLAGS.has(name)) {
      if (eq < 0) i++
      continue
    }
    out.push(a)
  }
  return out
}

function shellQuote(s: string): string {
  return /^[\w./:=@%+-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`
}

