// ESLint flat config: typescript-eslint's recommended rules plus the
// project's layering: core/ never imports electron or react, and the
// renderer reaches the core only through types (and the dependency-free
// errors module it revives errors with).
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'release/**', 'node_modules/**', '**/__fixtures__/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      eqeqeq: ['error', 'always'],
      // A variable assigned after a closure that reads it is declared with let.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['core/**/*.ts', 'scripts/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['electron', 'electron/*'],
              message: 'core/ runs under plain Node: never import electron.',
            },
            { group: ['react', 'react-dom', 'zustand', 'recharts'], message: 'core/ is UI-free.' },
            {
              group: ['**/renderer/**', '**/electron/**'],
              message: 'core/ must not depend on front ends.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    // Bridge tests start a real core server to talk to; the app code may not.
    ignores: ['renderer/**/*.test.ts', 'renderer/**/*.test.tsx'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/core/**', '!**/core/errors'],
              allowTypeImports: true,
              message:
                'The renderer reaches the core only through the Bridge (type imports are fine).',
            },
          ],
        },
      ],
    },
  },
)
