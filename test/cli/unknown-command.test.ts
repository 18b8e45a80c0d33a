/** An unknown command is a usage error (exit 2) in the shapes every other error has, with a did-you-mean. */
import {describe, expect, it} from 'vitest'
import {cleanEnv, parseJson, runCli} from '../helpers/cli.js'

describe('an unknown command', () => {
  it('with --json: one JSON error envelope on stdout, the suggestion and the commands in details, exit 2', async () => {
    const res = await runCli(['acount', 'get', '5', '--json'], {env: cleanEnv()})
    expect(res.code).toBe(2)
    const json = parseJson(res.stdout) as {status: number; error: {code: string; message: string; hint: string; details: {suggestion: string; commands: string[]}}}
    expect(json.status).toBe(2)
    expect(json.error).toMatchObject({code: 'UNKNOWN_COMMAND', message: '"acount get" is not a soemail command', details: {command: 'acount get', suggestion: 'account get'}})
    expect(json.error.hint).toContain('Did you mean "soemail account get"?')
    expect(json.error.details.commands).toContain('account import')
    expect(res.stderr).toBe('')
  })

  it('without --json: what failed and the suggestion on stderr, nothing on stdout, exit 2 and no prompt', async () => {
    const res = await runCli(['account', 'gett', '5'], {env: cleanEnv()})
    expect(res.code).toBe(2)
    expect(res.stdout).toBe('')
    expect(res.stderr).toBe('Error: "account gett" is not a soemail command\nDid you mean "soemail account get"? Run soemail help for the list of commands.\n')
  })

  it('far from every command: no suggestion, just the way to the list', async () => {
    const res = await runCli(['frobnicate', '--json'], {env: cleanEnv()})
    expect(res.code).toBe(2)
    expect(parseJson(res.stdout)).toMatchObject({error: {code: 'UNKNOWN_COMMAND', hint: 'Run soemail help for the list of commands.', details: {suggestion: null}}})
  })
})
