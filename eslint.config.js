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
  {
    files: ['bin/**', 'scripts/**', 'test/**'],
    rules: {'no-restricted-syntax': 'off'},
  },
)
