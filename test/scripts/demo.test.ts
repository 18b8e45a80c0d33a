import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {cleanEnv} from '../helpers/cli.js'
import {runProcess} from '../helpers/process.js'

const DEMO = join(import.meta.dirname, '..', '..', 'scripts', 'demo.js')

/** `npm run demo`, the README's first command after npm ci: it must run as written, checks and all. */
describe('npm run demo', () => {
  it('creates, shows and updates an account against the sandbox, and shows Microsoft 365 refused', async () => {
    // The tour's own flags keep it off DNS and away from mail servers; the checks are otherwise at their defaults.
    const res = await runProcess(process.execPath, [DEMO], {env: cleanEnv({SOEMAIL_VERIFY: undefined, SOEMAIL_OFFLINE: undefined}), timeoutMs: 60_000})
    expect(res.status, res.stdout + res.stderr).toBe(0)
    expect(res.stdout).toMatch(/Created account \d+ for jane\.doe@example\.com/)
    expect(res.stdout).toMatch(/imap-server: imap\.example\.com → imap\.one\.com/)
    expect(res.stdout).toMatch(/outlook\.office365\.com:993 is Microsoft 365 .*accepts only OAuth/)
    expect(res.stdout).toContain('Done. Try it yourself')
  })
})
