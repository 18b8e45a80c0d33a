import {DEMO_DIRECTORY, UserDirectory, type DirectoryUser} from '../../src/sandbox/user-directory.js'

/**
 * The demo directory and one plain, active user for every other id up to 999, for tests that make up
 * associate ids (a run per associate, an associate without accounts) and are not about the directory.
 * The sandbox still refuses ids beyond it as NetServer refuses a bad foreign key.
 */
export function wideDirectory(): UserDirectory {
  const taken = new Set(DEMO_DIRECTORY.map((u) => u.associateId))
  const filler: DirectoryUser[] = []
  for (let id = 1; id <= 999; id++) {
    if (!taken.has(id)) filler.push({associateId: id, userName: `filler${id}`, fullName: `Fyll Bruker ${id}`, email: `filler${id}@example.invalid`, active: true, type: 'associate'})
  }
  return new UserDirectory([...DEMO_DIRECTORY, ...filler])
}
