import {Flags} from '@oclif/core'
import {BaseCommand} from '../base-command.js'
import {connectionFlags} from '../flags.js'

export default class Status extends BaseCommand {
  static override summary = 'Show the active profile and where its settings and ticket come from.'
  static override description = 'Shows the URL, user, API version and login time of the active profile, and for each setting where it comes from (flag, environment, keychain, file). Never shows the ticket itself. --check makes one call to see whether the ticket still works.'
  static override examples = [
    {description: 'What would the next command use?', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'Is the ticket of the prod profile still good?', command: '<%= config.bin %> <%= command.id %> --profile prod --check'},
    {description: 'All profiles, for a script:', command: '<%= config.bin %> <%= command.id %> --all --json'},
  ]

  static override flags = {
    all: Flags.boolean({summary: 'Show every profile.'}),
    check: Flags.boolean({summary: 'Make one call to check that the ticket still works.'}),
    ...connectionFlags,
  }

  async run(): Promise<unknown> {
    const {flags} = await this.parse(Status)
    const {describeSessions} = await import('../sessions/status.js')
    const {readStdinSecrets} = await import('../connection/stdin.js')
    const stdin = await readStdinSecrets(flags['ticket-stdin'] ? ['--ticket-stdin'] : [])
    const ctx = await this.sessionContext()
    const report = await describeSessions(
      {profile: flags.profile, url: flags.url, ticket: flags.ticket, appToken: flags['app-token'], apiVersion: flags['api-version']},
      ctx,
      {all: flags.all, stdinTicket: stdin.get('--ticket-stdin')},
    )
    let check: {ok: boolean; message?: string} | undefined
    if (flags.check) {
      const {email} = await this.connect(flags, stdin.get('--ticket-stdin'))
      const {verifyTicket} = await import('../sessions/login.js')
      await this.call(() => verifyTicket(email))
      check = {ok: true}
    }
    if (!this.jsonEnabled()) {
      const {renderStatus} = await import('../output/status-view.js')
      const {stdoutStyle} = await import('../output/style.js')
      this.log(renderStatus(report, stdoutStyle(), check))
    }
    return {...report, ...(check ? {check} : {})}
  }
}
