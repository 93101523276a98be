import js from '@eslint/js';
import globals from 'globals';

export default [
  { ignores: ['dist/', 'artifacts/', 'test-results/', 'node_modules/'] },
  js.configs.recommended,
  {
    files: ['src/**/*.js'],
    languageOptions: { ecmaVersion: 2024, sourceType: 'module', globals: { ...globals.browser, ...globals.webextensions, ...globals.serviceworker } },
  },
  {
    files: ['test/**/*.{js,mjs}', 'e2e/**/*.{js,mjs}', '*.js', '*.mjs'],
    languageOptions: { ecmaVersion: 2024, sourceType: 'module', globals: { ...globals.node } },
  },
  {
    // Callbacks passed to page.evaluate() and worker.evaluate() run in the browser.
    files: ['e2e/**/*.{js,mjs}'],
    languageOptions: { globals: { ...globals.node, ...globals.browser, ...globals.webextensions } },
  },
  {
    rules: {
      'no-unused-vars': ['error', { argsIgnorePattern: '^_', caughtErrors: 'none' }],
      eqeqeq: ['error', 'smart'],
      'prefer-const': 'error',
    },
  },
];
