#!/usr/bin/env node
// The newcomer's tour: starts the built-in sandbox, then runs soemail as a user would — create an
// account, show it, update one field — printing each command and its output.
import {spawn} from 'node:child_process'
import {existsSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
if (!existsSync(`${root}dist/sandbox/server.js`)) {
  console.error('soemail is not built yet: run `npm run build` (npm ci does it) first.')
  process.exit(1)
}
const {startSandbox} = await import(`${root}dist/sandbox/server.js`)
const sandbox = await startSandbox({port: 0})
const env = {...process.env, SOEMAIL_URL: sandbox.url, SOEMAIL_TICKET: sandbox.demoTicket}
console.log(`Sandbox NetServer on ${sandbox.url} (demo ticket in SOEMAIL_TICKET)\n`)

// Asynchronous on purpose: the sandbox answers from this same process's event loop.
async function soemail(args, input, expectedExit = 0) {
  const shown = args.map((a) => (/[\s$]/.test(a) ? `'${a}'` : a)).join(' ')
  console.log(`$ ${input ? `printf '…' | ` : ''}soemail ${shown}`)
  const child = spawn(process.execPath, [`${root}bin/run.js`, ...args], {env, stdio: ['pipe', 'pipe', expectedExit === 0 ? 'inherit' : 'pipe']})
  let stderr = ''
  child.stderr?.on('data', (d) => (stderr += d))
  let stdout = ''
  child.stdout.on('data', (d) => (stdout += d))
  child.stdin.end(input ?? '')
  const code = await new Promise((resolve) => child.on('close', resolve))
  process.stdout.write(`${stdout}${stderr}\n`)
  if (code !== expectedExit) throw new Error(`soemail ${args[0]} ${args[1]} exited ${code}${expectedExit ? `, not ${expectedExit} as expected` : ''}`)
  return stdout
}

try {
  // Against a real CRM the server tests both logins before saving; the sandbox would too, but nothing
  // answers at imap.example.com, so the tour skips the test (--no-verify) and keeps off DNS (--offline).
  console.log('# --no-verify: no mail server answers at imap.example.com for the login test (leave it out against your CRM)')
  const created = await soemail(
    ['account', 'save', '--email', 'jane.doe@example.com', '--associate', String(sandbox.demoUser.associateId), '--imap-server', 'imap.example.com', '--smtp-server', 'smtp.example.com', '--imap-password-stdin', '--smtp-password-stdin', '--no-verify', '--offline'],
    'imap-secret\nsmtp-secret\n',
  )
  const id = /Created account (\d+)/.exec(created)?.[1]
  await soemail(['account', 'get', id])
  await soemail(['account', 'save', '--id', id, '--imap-server', 'imap.one.com', '--imap-port', '993', '--no-verify', '--offline'])
  console.log('# Microsoft 365 takes no password accounts in SuperOffice: this one is refused (exit 3) and the reason shown')
  await soemail(['account', 'save', '--id', id, '--imap-server', 'outlook.office365.com', '--offline'], undefined, 3)
  await soemail(['account', 'get', id, '--json'])
  console.log('Done. Try it yourself: npx soemail sandbox, then the commands it prints.')
} finally {
  await sandbox.close()
}
