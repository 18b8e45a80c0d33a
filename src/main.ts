/**
 * What bin/run.js needs from oclif, bundled by scripts/build.mjs into dist/cli/run.js. bin/run.js takes
 * execute() from there, so only the bundled copy of @oclif/core is loaded; the commands are in a second
 * entry (command-index.ts), which oclif imports only when a command runs, not for --version or --help.
 */
export {execute} from '@oclif/core'
