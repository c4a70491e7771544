import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';
import tseslint from 'typescript-eslint';

export default [
	{ ignores: ['dist/**', 'dist-dev/**', 'node_modules/**', 'coverage/**', '.tools/**', 'tmp/**', '.e2e/**', 'bench/results/**', '*.js', '*.mjs'] },
	...tseslint.configs.recommended.map((config) => ({ ...config, files: ['**/*.ts'] })),
	// The community rules are for what n8n loads (nodes, credentials, package.json).
	{
		files: ['nodes/**/*.ts', 'credentials/**/*.ts', 'package.json'],
		...n8nCommunityNodesPlugin.configs.recommendedWithoutN8nCloudSupport,
	},
	{
		// The package.json rules read it as a JSON expression, which the TypeScript parser produces for .json files.
		files: ['package.json'],
		languageOptions: { parser: tseslint.parser, parserOptions: { extraFileExtensions: ['.json'] } },
	},
	{
		files: ['nodes/**/*.ts', 'credentials/**/*.ts', 'package.json'],
		rules: {
			// This package talks to the Kubernetes API (@kubernetes/client-node) and Prometheus (axios) for self-hosted n8n; it cannot be dependency-free.
			'@n8n/community-nodes/no-runtime-dependencies': 'off',
			// No public repository exists yet to point at; set "homepage" when the package is published.
			'@n8n/community-nodes/require-homepage': 'off',
		},
	},
	{
		files: ['**/*.ts'],
		rules: {
			'@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
		},
	},
];
