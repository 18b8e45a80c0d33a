import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  {ignores: ['dist/**', 'node_modules/**', 'coverage/**']},
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {globals: {process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', Buffer: 'readonly'}},
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', {argsIgnorePattern: '^_', varsIgnorePattern: '^_'}],
      'no-restricted-syntax': ['error', {selector: "MemberExpression[object.name='process'][property.name='exit']", message: 'Throw a typed error; the base command owns exit codes.'}],
    },
  },
  // The layers are one-way (DESIGN.md "Layout"): commands -> app (run functions) -> services -> soap.
  ...layer(['src/soap/**'], 'src/soap is the wire layer: it knows nothing of the CLI, the services or the sandbox', [
    'commands', 'app', 'base-command', 'flags', 'hints', 'connection', 'output', 'prompts', 'sessions', 'keychain', 'bulk', 'accounts', 'sandbox', 'errors',
  ], ['@oclif/*', '@inquirer/*', 'chalk']),
  ...layer(['src/model/**'], 'src/model is plain data every layer reads; it imports no other layer', [
    'commands', 'app', 'base-command', 'flags', 'hints', 'connection', 'output', 'prompts', 'sessions', 'keychain', 'bulk', 'accounts', 'sandbox', 'soap',
  ], ['@oclif/*', '@inquirer/*', 'chalk']),
  ...layer(['src/accounts/**', 'src/csv/**', 'src/bulk/**', 'src/sessions/**', 'src/keychain/**', 'src/connection/**', 'src/output/**', 'src/prompts/**', 'src/providers/**'], 'services are called by run functions and never reach up into the CLI', [
    'commands', 'app', 'base-command', 'flags', 'hints', 'sandbox',
  ], ['@oclif/*']),
  ...layer(['src/app/**'], 'run functions take their world as parameters and know nothing of oclif; nothing but the sandbox command imports the sandbox', ['commands', 'base-command', 'sandbox'], ['@oclif/*'], ['src/app/sandbox.ts', 'src/app/sandbox-flags.ts']),
  ...layer(['src/app/sandbox.ts', 'src/app/sandbox-flags.ts'], 'run functions take their world as parameters and know nothing of oclif', ['commands', 'base-command'], ['@oclif/*']),
  ...layer(['src/commands/**', 'src/base-command.ts', 'src/flags.ts', 'src/command-index.ts', 'src/command-not-found.ts'], 'commands are glue: flags -> options -> a run function in src/app; nothing but the sandbox command imports the sandbox', ['soap', 'sandbox'], [], ['src/commands/sandbox.ts']),
  {
    files: ['bin/**', 'scripts/**', 'test/**'],
    rules: {'no-restricted-syntax': 'off'},
  },
  // CommonJS by design (it loads the built bundles with their code cache; see its opening comment).
  {
    files: ['**/*.cjs'],
    languageOptions: {sourceType: 'commonjs', globals: {require: 'readonly', module: 'writable', __dirname: 'readonly', __filename: 'readonly'}},
    rules: {'@typescript-eslint/no-require-imports': 'off'},
  },
)

/**
 * Refuses imports of the named src folders (or root modules) from `files`, static and import() alike.
 * Type-only imports are allowed: they leave nothing behind at run time.
 */
function layer(files, why, folders, packages, ignores = []) {
  // Relative specifiers that leave the file's folder for one of `folders` ('../soap/x.js', '../../errors.js').
  const relative = `^(\\.\\./)+(${folders.join('|')})(/|\\.js$)`
  const message = `Layer rule: ${why}.`
  return [
    {
      files,
      ignores,
      rules: {
        '@typescript-eslint/no-restricted-imports': ['error', {patterns: [
          {regex: relative, message, allowTypeImports: true},
          ...(packages.length > 0 ? [{group: packages, message, allowTypeImports: true}] : []),
        ]}],
        'no-restricted-syntax': ['error',
          {selector: "MemberExpression[object.name='process'][property.name='exit']", message: 'Throw a typed error; the base command owns exit codes.'},
          {selector: `ImportExpression[source.value=/${relative.replaceAll('/', '\\/')}/]`, message},
        ],
      },
    },
  ]
}
