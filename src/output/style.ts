import chalk, {Chalk, chalkStderr, type ChalkInstance} from 'chalk'

// chalk follows FORCE_COLOR and the terminal but not NO_COLOR (https://no-color.org), which DESIGN.md promises.
const noColor = () => (process.env.NO_COLOR ?? '') !== ''
const plain = new Chalk({level: 0})

/** Colours for stdout: off when stdout is not a terminal or NO_COLOR is set. */
export function stdoutStyle(): ChalkInstance {
  return noColor() ? plain : chalk
}

/** Colours for stderr (notices, summaries before a prompt, errors). */
export function stderrStyle(): ChalkInstance {
  return noColor() ? plain : chalkStderr
}
