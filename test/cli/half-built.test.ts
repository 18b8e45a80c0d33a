/**
 * A build interrupted half-way (Ctrl-C during the first `npx soemail`) leaves dist/ without the stamp the
 * build writes last. bin/run.js then builds again before it runs, instead of failing with ENOENT. Run in
 * a copy of the project, so the dist/ the other tests use is never touched.
 */
import {cpSync, existsSync, mkdtempSync, rmSync, symlinkSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {cleanEnv, ROOT} from '../helpers/cli.js'
import {runProcess} from '../helpers/process.js'

const COPIED = ['bin', 'src', 'schemas', 'scripts', 'dist', 'package.json', 'package-lock.json', 'tsconfig.json', 'oclif.manifest.json']

describe('a half-built dist/', () => {
  it('is built again by the next command, which then runs', async () => {
    const copy = mkdtempSync(join(tmpdir(), 'soemail-half-built-'))
    for (const entry of COPIED) cpSync(join(ROOT, entry), join(copy, entry), {recursive: true})
    symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'))
    // What an interrupted build leaves: no stamp, and a bundle file missing.
    rmSync(join(copy, 'dist', '.build-stamp'))
    rmSync(join(copy, 'dist', 'cli', 'oclif.cjs'))
    try {
      const res = await runProcess(process.execPath, [join(copy, 'bin', 'run.js'), '--version'], {env: cleanEnv(), timeoutMs: 240_000})
      expect(res.stderr).toContain('dist/ is missing or half-built (an interrupted build?); building it first')
      expect(res.status, res.stderr).toBe(0)
      expect(res.stdout).toMatch(/^soemail\/\d+\.\d+\.\d+ /)
      expect(existsSync(join(copy, 'dist', '.build-stamp'))).toBe(true)
      // Built once: the next start is a plain start.
      const again = await runProcess(process.execPath, [join(copy, 'bin', 'run.js'), '--version'], {env: cleanEnv()})
      expect(again.stderr).toBe('')
      expect(again.status).toBe(0)
    } finally {
      rmSync(copy, {recursive: true, force: true})
    }
  }, 300_000)
})
