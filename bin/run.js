#!/usr/bin/env node
import {existsSync} from 'node:fs'
import {createRequire} from 'node:module'

// In a clone, a build that was interrupted (Ctrl-C during the first `npx soemail`, a full disk) leaves
// dist/ without its stamp, which the build writes last: build again instead of failing with ENOENT. An
// installed package has no src/ and its dist/ is complete.
const root = new URL('..', import.meta.url)
if (!existsSync(new URL('dist/.build-stamp', root)) && existsSync(new URL('src', root))) {
  const [{spawnSync}, {fileURLToPath}] = await Promise.all([import('node:child_process'), import('node:url')])
  process.stderr.write('soemail: dist/ is missing or half-built (an interrupted build?); building it first (npm run build)…\n')
  const built = spawnSync('npm', ['run', 'build', '--silent'], {cwd: fileURLToPath(root), stdio: ['ignore', 2, 2]})
  if (built.status !== 0) {
    process.stderr.write('soemail: the build failed; fix what it printed above and run npm run build.\n')
    process.exit(1)
  }
}

// The bundles load through dist/cli/load.cjs, which gives each its stored code cache (scripts/build.mjs).
const {execute} = createRequire(import.meta.url)('../dist/cli/load.cjs').bundle('oclif')['@oclif/core']
await execute({dir: import.meta.url})
// A keychain call that timed out cannot be cancelled inside the native library, and would keep the
// process alive after the command has finished. This timer never delays a normal exit (it is unref'd).
setTimeout(() => process.exit(), 500).unref()
