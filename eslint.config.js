// ESLint: typescript-eslint's type-checked rules, plus the stage direction of the data flow
// (resolve → discover → verify → evaluate → report): a folder may import only earlier stages, and nothing imports the CLI.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const STAGES = [
  ['model', 'errors'],
  ['registry', 'layout'],
  ['release'],
  ['discover'],
  ['sigstore'],
  ['policy', 'checks'],
  ['report'],
  ['profile'],
  ['pipeline', 'commands'],
  ['cli'],
];

/** For the folders of stage i: forbid importing any folder of a later stage. */
function stageRules() {
  return STAGES.flatMap((folders, i) => {
    const later = STAGES.slice(i + 1).flat();
    if (later.length === 0) return [];
    return folders.map((folder) => ({
      files: folder === 'errors' ? ['src/errors.ts'] : [`src/${folder}/**/*.ts`],
      rules: {
        'no-restricted-imports': [
          'error',
          {
            patterns: [
              {
                regex: `^(\\.\\./)+(${later.join('|')})(/|\\.js$)`,
                message: `${folder} is an earlier stage: it must not import ${later.join(', ')}.`,
              },
            ],
          },
        ],
      },
    }));
  });
}

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'dist-bench/', 'coverage/', 'fixtures/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
  },
  {
    // Tests take apart untyped JSON (reports, bundles, manifests) on purpose; the rules for `any` guard src/ only.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      // Fakes implement async interfaces without awaiting anything.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    files: ['**/*.cjs', 'bin/**/*.js'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { process: 'readonly', console: 'readonly', require: 'readonly', URL: 'readonly' },
    },
  },
  {
    // bin/ is CommonJS (bin/package.json).
    files: ['bin/**/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { process: 'readonly', require: 'readonly', module: 'writable', __dirname: 'readonly' },
    },
  },
  {
    rules: {
      // Sanitizers and tests match control characters on purpose.
      'no-control-regex': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/index.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^\\./cli(/|\\.js$)', message: 'nothing imports the CLI' }] },
      ],
    },
  },
  ...stageRules(),
);
