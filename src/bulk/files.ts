import {existsSync, renameSync} from 'node:fs'

/** The files of one import, named after its results file so a resume finds them all. */
export interface ImportFiles {
  results: string
  journal: string
  /** Previous values of updated accounts, in the import format (replay it to undo the updates). */
  undo: string
  /** Ids of created accounts (soemail account delete --from FILE removes them). */
  created: string
}

export function importFiles(input: string, results?: string): ImportFiles {
  const r = results ?? (input === '-' ? 'stdin.results.csv' : `${input}.results.csv`)
  const stem = r.replace(/\.csv$/i, '')
  return {results: r, journal: `${r}.journal`, undo: `${stem}.undo.csv`, created: `${stem}.created.csv`}
}

/** Moves the files of an earlier run aside (never deletes them: they record what was changed). */
export function archiveRun(files: ImportFiles, now = new Date()): string[] {
  const suffix = now.toISOString().replace(/[:.]/g, '-')
  const moved: string[] = []
  for (const path of [files.journal, files.undo, files.created]) {
    if (existsSync(path)) {
      renameSync(path, `${path}.${suffix}`)
      moved.push(`${path}.${suffix}`)
    }
  }
  return moved
}
