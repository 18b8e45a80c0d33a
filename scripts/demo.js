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
async function soemail(args, input) {
  const shown = args.map((a) => (/[\s$]/.test(a) ? `'${a}'` : a)).join(' ')
  console.log(`$ ${input ? `printf '…' | ` : ''}soemail ${shown}`)
  const child = spawn(process.execPath, [`${root}bin/run.js`, ...args], {env, stdio: ['pipe', 'pipe', 'inherit']})
  let stdout = ''
  child.stdout.on('data', (d) => (stdout += d))
  child.stdin.end(input ?? '')
  const code = await new Promise((resolve) => child.on('close', resolve))
  process.stdout.write(`${stdout}\n`)
  if (code !== 0) throw new Error(`soemail ${args[0]} ${args[1]} exited ${code}`)
  return stdout
}

try {
  const created = await soemail(
    ['account', 'save', '--email', 'jane.doe@example.com', '--associate', String(sandbox.demoUser.associateId), '--imap-server', 'imap.example.com', '--smtp-server', 'smtp.example.com', '--imap-password-stdin', '--smtp-password-stdin'],
    'imap-secret\nsmtp-secret\n',
  )
  const id = /Created account (\d+)/.exec(created)?.[1]
  await soemail(['account', 'get', id])
  await soemail(['account', 'save', '--id', id, '--imap-server', 'outlook.office365.com'])
  await soemail(['account', 'get', id, '--json'])
  console.log('Done. Try it yourself: npx soemail sandbox, then the commands it prints.')
} finally {
  await sandbox.close()
}
