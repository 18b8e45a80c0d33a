/**
 * Black-box tests run the built CLI (bin/run.js -> dist/). A dist/ built from other sources than the
 * tree's would test the wrong code and pass or fail for no reason, so it is rebuilt here, once, before
 * any test file runs; a build that fails stops the run.
 */
import {spawnSync} from 'node:child_process'
import {fileURLToPath} from 'node:url'
import {isFresh} from '../scripts/build-stamp.mjs'

export default function setup(): void {
  if (isFresh()) return
  const root = fileURLToPath(new URL('..', import.meta.url))
  process.stderr.write('dist/ does not match the sources (stale or half-built): running npm run build first\n')
  const res = spawnSync('npm', ['run', 'build', '--silent'], {cwd: root, stdio: ['ignore', 'inherit', 'inherit']})
  if (res.status !== 0) throw new Error(`npm run build failed (exit ${res.status}); the CLI tests need a fresh dist/`)
  if (!isFresh()) throw new Error('npm run build did not leave a fresh dist/ (dist/.build-stamp does not match the sources)')
}
