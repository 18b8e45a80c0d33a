import {BaseCommand} from '../base-command.js'
import {connectionFlags} from '../flags.js'
import {CliError, ExitCode} from '../errors.js'

export default class Doctor extends BaseCommand {
  static override summary = 'Check the keychain, profile file, endpoint, TLS and clock; print the fix for each problem.'
  static override description = 'Checks that the Secret Service (or the OS keychain) is reachable and writable with a real write, read and delete of a test item; that the profile file is private; that the NetServer endpoint answers with its WSDL over verified TLS; and that the clock is close to the server\'s (system-user tokens break otherwise). Exits 0 only when every check passes.'
  static override examples = [
    {description: 'Check the active profile:', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'Check a server before logging in:', command: '<%= config.bin %> <%= command.id %> --url https://crm.example.com/SuperOffice --ca-file ./corp-ca.pem'},
  ]

  static override flags = {...connectionFlags}

  async run(): Promise<unknown> {
    const {flags} = await this.parse(Doctor)
    const {runDoctor} = await import('../sessions/doctor.js')
    const checks = await runDoctor({profile: flags.profile, url: flags.url, apiVersion: flags['api-version']}, await this.sessionContext(), {
      timeoutMs: flags.timeout * 1000,
      caFile: flags['ca-file'],
      allowHttp: flags['allow-http'] ?? false,
    })
    const failed = checks.filter((c) => !c.ok)
    if (!this.jsonEnabled()) {
      const style = (await import('../output/style.js')).stdoutStyle()
      for (const c of checks) {
        const mark = c.skipped ? style.dim('-') : c.ok ? style.green('✓') : style.red('✗')
        this.log(`${mark} ${style.bold(c.name)}: ${c.detail}`)
        if (c.fix) this.log(`    ${style.yellow('fix:')} ${c.fix}`)
      }
    }
    if (failed.length > 0) {
      throw new CliError('DOCTOR_FAILED', failed[0]?.exitCode ?? ExitCode.UNEXPECTED, `${failed.length} of ${checks.length} checks failed: ${failed.map((c) => c.name).join(', ')}`, {details: {checks}})
    }
    return {checks}
  }
}
