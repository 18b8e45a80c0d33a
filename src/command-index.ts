/**
 * Every command, by id: oclif's explicit command discovery (package.json oclif.commands: strategy
 * "explicit", identifier COMMANDS) reads this module's COMMANDS, bundled into dist/cli/app.cjs by
 * scripts/build.mjs (oclif requires dist/cli/commands.cjs, which loads that bundle). A new file in src/commands/ needs a line here; test/cli/manifest.test.ts fails until it has.
 * The commands import what they need with import() inside run(), so this module stays small.
 */
import AccountCheck from './commands/account/check.js'
import AccountDelete from './commands/account/delete.js'
import AccountExport from './commands/account/export.js'
import AccountGet from './commands/account/get.js'
import AccountImport from './commands/account/import.js'
import AccountSave from './commands/account/save.js'
import Doctor from './commands/doctor.js'
import Login from './commands/login.js'
import Logout from './commands/logout.js'
import Providers from './commands/providers.js'
import ProvidersDetect from './commands/providers/detect.js'
import Sandbox from './commands/sandbox.js'
import Status from './commands/status.js'

export const COMMANDS = {
  'account:check': AccountCheck,
  'account:delete': AccountDelete,
  'account:export': AccountExport,
  'account:get': AccountGet,
  'account:import': AccountImport,
  'account:save': AccountSave,
  doctor: Doctor,
  login: Login,
  logout: Logout,
  providers: Providers,
  'providers:detect': ProvidersDetect,
  sandbox: Sandbox,
  status: Status,
}
export {COMMAND_NOT_FOUND} from './command-not-found.js'
