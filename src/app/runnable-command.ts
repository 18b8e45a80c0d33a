import {realpathSync, statSync} from 'node:fs'
import {delimiter, join} from 'node:path'

/**
 * How to run this CLI again from wherever the user is, for commands printed to be pasted: `soemail` when
 * the PATH finds this same program under that name (npm link, a global install), otherwise node and the
 * full path of the script that is running (a clone used through `npx soemail`, where `soemail` is not on
 * the PATH of the next terminal).
 */
export function runnableCommand(bin: string, script: string | undefined, path: string | undefined): string {
  if (!script) return bin
  const self = real(script)
  for (const dir of (path ?? '').split(delimiter)) {
    if (!dir) continue
    const candidate = join(dir, bin)
    if (isFile(candidate) && real(candidate) === self) return bin
  }
  return `node ${shellWord(self ?? script)}`
}

function real(path: string): string | undefined {
  try {
    return realpathSync(path)
  } catch {
    return undefined
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile()
  } catch {
    return false
  }
}

/** Quoted for a POSIX shell when it needs to be. */
function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`
}
