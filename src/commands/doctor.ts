import {BaseCommand} from '../base-command.js'
import {connectionFlags} from '../flags.js'

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
    const {runDoctorCommand} = await import('../app/doctor.js')
    return runDoctorCommand(flags, await this.world())
  }
}
