// Lint: typescript-eslint's type-aware recommended rules, plus the layout rules of the house
// style: a package is imported by its name only, and a service never imports another service.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'eslint.config.mjs', '.data/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-floating-promises': 'error',
      // Fastify plugins and handlers are async by convention, awaited or not.
      '@typescript-eslint/require-await': 'off',
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/libs/*/src/**', '**/libs/*/dist/**', '@chitchat/*/*', '!@chitchat/platform/tracing'], message: 'Import a lib by its package name (@chitchat/x), not its files (or a subpath it exports).' },
            { group: ['**/services/**', '@chitchat/ingest', '@chitchat/persistence', '@chitchat/gateway', '@chitchat/history', '@chitchat/web'], message: 'A service never imports another service: move shared code to a lib.' },
          ],
        },
      ],
    },
  },
  {
    // Plain build scripts: linted without type information.
    files: ['**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', fetch: 'readonly' },
    },
  },
  {
    // node:test's test() returns a promise the runner awaits.
    files: ['**/*.test.ts'],
    rules: { '@typescript-eslint/no-floating-promises': ['error', { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite'] }] }] },
  },
);
