import type {ConnectionFlagValues} from '../flags.js'
import {log, type World} from './world.js'

export type StatusOptions = ConnectionFlagValues & {all?: boolean; check?: boolean; trace?: boolean}

/** Where each setting of the active profile (or every profile) comes from; never a secret's value. */
export async function runStatus(opts: StatusOptions, world: World): Promise<unknown> {
  const [{describeSessions}, {readStdinSecrets}] = await Promise.all([import('../sessions/status.js'), import('../connection/stdin.js')])
  const stdin = await readStdinSecrets(opts['ticket-stdin'] ? ['--ticket-stdin'] : [], world.stdin, world.prompter)
  const report = await describeSessions(
    {profile: opts.profile, url: opts.url, ticket: opts.ticket, appToken: opts['app-token'], apiVersion: opts['api-version']},
    world.sessions,
    {all: opts.all, stdinTicket: stdin.get('--ticket-stdin')},
  )
  let check: {ok: boolean; message?: string} | undefined
  if (opts.check) {
    const {email, call} = await world.connect(opts, {stdinTicket: stdin.get('--ticket-stdin')})
    const {verifyTicket} = await import('../sessions/login.js')
    await call(() => verifyTicket(email))
    check = {ok: true}
  }
  if (!world.json) {
    const {renderStatus} = await import('../output/status-view.js')
    log(world, renderStatus(report, world.stdout.style, check))
  }
  return {...report, ...(check ? {check} : {})}
}
