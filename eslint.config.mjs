// Lint: typescript-eslint's recommended rules, and the folder direction of CONTRIBUTING.md
// ("Layout"): each folder imports only from the folders below it.
import js from '@eslint/js';
import boundaries from 'eslint-plugin-boundaries';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Folder → the folders it may import from (itself included). CONTRIBUTING.md says why. */
const MAY_IMPORT = {
  contract: ['contract'],
  policies: ['contract', 'policies'],
  lambda: ['contract', 'lambda'],
  lib: ['contract', 'policies', 'lib'],
  sandbox: ['contract', 'policies', 'lambda', 'sandbox'],
  cli: ['contract', 'cli'],
  tools: ['contract', 'tools'],
  bin: ['contract', 'policies', 'lib', 'bin'],
  scripts: ['contract', 'policies', 'lib', 'tools', 'scripts', 'sandbox'],
  // Test helpers are shared by every test; a script's own tests may import it.
  'test-helpers': ['contract', 'policies', 'lambda', 'lib', 'sandbox', 'cli', 'tools', 'test-helpers', 'test'],
  test: ['contract', 'policies', 'lambda', 'lib', 'sandbox', 'cli', 'tools', 'test-helpers', 'test', 'scripts'],
};

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'cdk.out/', '.cache/', '.sandbox/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { boundaries },
    settings: {
      'import/resolver': { node: { extensions: ['.ts', '.mjs', '.js', '.json'] } },
      'boundaries/elements': [
        { type: 'test-helpers', pattern: 'test/helpers', partialMatch: false },
        ...Object.keys(MAY_IMPORT)
          .filter((type) => type !== 'test-helpers')
          .map((type) => ({ type, pattern: type, partialMatch: false })),
      ],
    },
    rules: {
      'boundaries/dependencies': [
        'error',
        {
          default: 'disallow',
          policies: Object.entries(MAY_IMPORT).map(([from, allow]) => ({
            from: { element: { type: from } },
            allow: { to: { element: { types: { anyOf: allow } } } },
          })),
        },
      ],
      // Unused on purpose only when named so (a handler's unused event, a destructured-away field).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  {
    // Scripts start the sandbox through its public entry only.
    files: ['scripts/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^\\.\\./sandbox/(?!sandbox$)', message: 'scripts start the sandbox through sandbox/sandbox.ts only' }] },
      ],
    },
  },
  {
    // Synthesized templates and policy-simulator answers are untyped JSON in tests.
    files: ['test/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['test/**/*.js'],
    languageOptions: { globals: globals.jest },
  },
  {
    files: ['**/*.js'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
