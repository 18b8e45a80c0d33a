import {Command, Flags, type Interfaces} from '@oclif/core'
import {CliError, ExitCode, InterruptedError, UsageError} from './errors.js'
import type {World} from './app/world.js'

/**
 * Owns --json, error rendering and exit codes for every command (DESIGN.md). Commands throw typed
 * errors and return their result; they never print errors or exit themselves.
 */
export abstract class BaseCommand extends Command {
  static override enableJsonFlag = true
  static override baseFlags = {
    verbose: Flags.boolean({summary: 'Show the details of errors.', helpGroup: 'Output'}),
    trace: Flags.boolean({summary: 'Print the SOAP exchanges on stderr, with passwords, tickets and tokens redacted.', helpGroup: 'Output'}),
  }

  private builtWorld?: Promise<World & {close(): void}>

  /** The world every run function gets: built once, from this process, after the flags are parsed. */
  protected world(): Promise<World> {
    this.builtWorld ??= import('./app/process-world.js').then(({processWorld}) => processWorld({configDir: this.config.configDir, json: this.jsonEnabled()}))
    return this.builtWorld
  }

  /**
   * oclif splits `--yes=maybe` into the flag and a stray argument, so `account delete --yes=42` would
   * delete account 42 and `--show-secrets=false` would show them. A value on a boolean flag is refused
   * here, naming the flag, before oclif sees it.
   */
  protected override async parse<F extends Record<string, unknown>, B extends Record<string, unknown>, A extends Record<string, unknown>>(
    options?: Interfaces.Input<F, B, A>,
    argv: string[] = this.argv,
  ): Promise<Interfaces.ParserOutput<F, B, A>> {
    const input = options ?? (this.ctor as unknown as Interfaces.Input<F, B, A>)
    rejectValuedBooleans(argv, {...input.baseFlags, ...input.flags}, input.enableJsonFlag ?? false)
    return super.parse(options, argv)
  }

  protected override async finally(err: Error | undefined): Promise<void> {
    if (this.builtWorld) (await this.builtWorld.catch(() => undefined))?.close()
    await super.finally(err)
  }

  protected override toSuccessJson(result: unknown): unknown {
    return {status: 0, result}
  }

  protected override logJson(json: unknown): void {
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`)
  }

  /** oclif would exit 1 under --json and dump the parser context; we render our own shape instead. */
  protected override async catch(error: Error & {exitCode?: number}): Promise<void> {
    const err = classify(error)
    process.exitCode = err.exitCode
    const verbose = this.argv.includes('--verbose')
    if (this.jsonEnabled()) {
      this.logJson({status: err.exitCode, error: {code: err.code, message: err.message, ...(err.hint ? {hint: err.hint} : {}), ...(err.details === undefined ? {} : {details: err.details})}})
      return
    }
    const e = (await import('./output/style.js')).stderrStyle()
    let text = `${e.red('Error:')} ${err.message}\n`
    if (err.hint) text += `${e.dim(err.hint)}\n`
    if (verbose && err.details !== undefined) text += `${e.dim(JSON.stringify(err.details, null, 2))}\n`
    if (verbose && err.exitCode === ExitCode.UNEXPECTED && error.stack) text += `${e.dim(error.stack)}\n`
    process.stderr.write(text)
  }
}

function rejectValuedBooleans(argv: string[], flags: Record<string, {type: string; allowNo?: boolean; char?: string}>, jsonFlag: boolean): void {
  const booleans = new Map(Object.entries(flags).filter(([, f]) => f.type === 'boolean'))
  if (jsonFlag) booleans.set('json', {type: 'boolean'})
  const byChar = new Map([...booleans].filter(([, f]) => f.char).map(([name, f]) => [f.char, name]))
  for (const arg of argv) {
    if (arg === '--') return
    const long = /^--(no-)?([^=]+)=([\s\S]*)$/.exec(arg)
    const short = /^-([^-])=([\s\S]*)$/.exec(arg)
    const name = long ? long[2] : short ? byChar.get(short[1]) : undefined
    const flag = name === undefined ? undefined : booleans.get(name)
    if (!flag || (long?.[1] && !flag.allowNo)) continue
    const given = long ? `--${long[1] ?? ''}${name}` : `-${short![1]} (--${name})`
    const forms = flag.allowNo ? `--${name} or --no-${name}` : `--${name}`
    throw new UsageError(`${given} takes no value, but was given "${long ? long[3] : short![2]}": use ${forms} alone`, {hint: 'Run the command with --help to see its flags.'})
  }
}

function classify(error: Error & {exitCode?: number; oclif?: {exit?: number}; parse?: unknown}): CliError {
  if (error instanceof CliError) return error
  if (error.name === 'ExitPromptError' || error.name === 'AbortPromptError') return new InterruptedError('interrupted at the prompt; nothing was sent')
  // oclif parse errors carry the whole parse context (home path, package.json); keep only the message.
  if (error.parse !== undefined || error.oclif?.exit === 2 || /^(Nonexistent flag|Expected |Missing |Unexpected argument|The following error occurred)/.test(error.message)) {
    return new UsageError(error.message.replace(/\n?See more help with --help\s*$/, '').trim().replace(/\s*\n\s*/g, ': '), {hint: 'Run the command with --help to see its flags.'})
  }
  if (error.name === 'ExitError' && error.oclif?.exit !== undefined) return new CliError('EXIT', error.oclif.exit, error.message)
  if ((error as {code?: string}).code === 'ENOSPC') return new CliError('DISK_FULL', ExitCode.UNEXPECTED, 'the disk is full')
  return new CliError('UNEXPECTED', ExitCode.UNEXPECTED, `unexpected error: ${error.message}`, {hint: 'Run again with --verbose and report the output.'})
}
