import {writeSync} from 'node:fs'

/**
 * Writes one line with a single write(2), so that once it returns the kernel holds the whole line and a
 * kill -9 cannot lose it. Returns the error code, or undefined on success. A nearly full disk takes
 * part of a line and reports success: that counts as ENOSPC, or a torn journal line could let a create
 * be sent whose record is unreadable.
 */
export function writeLine(fd: number, text: string): string | undefined {
  const line = Buffer.from(text)
  try {
    return writeSync(fd, line) === line.length ? undefined : 'ENOSPC'
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? String(error)
  }
}
