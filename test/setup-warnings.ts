/**
 * Listener leaks fail the run instead of scrolling past as a warning: Node prints
 * MaxListenersExceededWarning once per emitter and carries on, so a leak in a helper or in src/ would
 * otherwise stay. (A helper that waited for 'drain' or 'close' and kept the other listener did this.)
 */
process.on('warning', (warning) => {
  // A new Error: the warning itself carries the whole emitter, which would fill the report.
  if (warning.name === 'MaxListenersExceededWarning') throw new Error(`${warning.name}: ${warning.message}`)
})
