import * as fs from 'node:fs';
import * as path from 'node:path';

import { listFiles } from '../harness/built';

// The import rules of ARCHITECTURE.md, enforced: the test reads the "may import" table from the document itself,
// so the map and the code cannot drift apart.

const ROOT = path.join(__dirname, '..', '..');
const SRC = path.join(ROOT, 'src');

/** Module specifiers of every import, export-from, dynamic import() and require() in a TypeScript source. */
export function importsOf(source: string): string[] {
	const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
	const found: string[] = [];
	for (const pattern of [/\b(?:import|export)\b[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g, /\bimport\s*['"]([^'"]+)['"]/g, /\b(?:import|require)\s*\(\s*['"`]([^'"`]+)['"`]\s*\)/g]) {
		for (const match of code.matchAll(pattern)) found.push(match[1] as string);
	}
	return found;
}

/** The "| folder | may import |" table of ARCHITECTURE.md. */
function allowedImports(): Map<string, Set<string>> {
	const text = fs.readFileSync(path.join(ROOT, 'ARCHITECTURE.md'), 'utf8');
	const table = new Map<string, Set<string>>();
	const start = text.indexOf('| folder | may import |');
	expect(start).toBeGreaterThan(-1);
	for (const line of text.slice(start).split('\n').slice(2)) {
		const cells = /^\|([^|]*)\|([^|]*)\|\s*$/.exec(line);
		if (!cells) break;
		const allowed = (cells[2] as string).split(',').map((name) => name.trim()).filter((name) => name !== '');
		table.set((cells[1] as string).trim(), new Set(allowed));
	}
	return table;
}

interface Import {
	file: string;
	specifier: string;
}

function sourceImports(): Import[] {
	return listFiles(SRC)
		.filter((file) => file.endsWith('.ts'))
		.flatMap((file) => importsOf(fs.readFileSync(file, 'utf8')).map((specifier) => ({ file: path.relative(ROOT, file), specifier })));
}

/** Where a specifier points, relative to the repository root ("src/policy/gate"), or the package name. */
function resolved({ file, specifier }: Import): string {
	return specifier.startsWith('.') ? path.relative(ROOT, path.resolve(ROOT, path.dirname(file), specifier)).split(path.sep).join('/') : specifier;
}

/** What breaks the rules of ARCHITECTURE.md, one line per import. */
export function violations(imports: Import[], table: Map<string, Set<string>>): string[] {
	const out: string[] = [];
	for (const entry of imports) {
		const target = resolved(entry);
		const folder = entry.file.split(/[\\/]/)[1] as string;
		const where = `${entry.file} imports '${entry.specifier}'`;
		if (/^(n8n-workflow|n8n-core|@n8n\/)/.test(target)) out.push(`${where}: src/ never imports n8n; keep n8n in nodes/`);
		else if (/^(test|bench)(\/|$)/.test(target)) out.push(`${where}: src/ never imports test/ or bench/ (they are not shipped)`);
		else if (/^(nodes|credentials)(\/|$)/.test(target)) out.push(`${where}: src/ never imports nodes/ or credentials/ (the engine knows nothing of n8n)`);
		else if (target.startsWith('src/')) {
			const other = target.split('/')[1] as string;
			if (other === folder) continue;
			const allowed = table.get(folder);
			if (allowed === undefined) out.push(`${where}: src/${folder} is not in ARCHITECTURE.md's "may import" table; add it there`);
			else if (!allowed.has(other)) out.push(`${where}: src/${folder} may import only ${[...allowed].join(', ') || 'nothing else in src/'} (ARCHITECTURE.md)`);
		} else if (target.startsWith('..')) out.push(`${where}: points outside the repository`);
	}
	return out;
}

test('every file under src/ follows the import rules of ARCHITECTURE.md', () => {
	const imports = sourceImports();
	expect(imports.length).toBeGreaterThan(500);
	const found = violations(imports, allowedImports());
	expect(found).toEqual([]);
});

test('every folder of src/ has a row in the table, and policy may not import decision', () => {
	const table = allowedImports();
	const folders = fs.readdirSync(SRC, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
	expect(folders.filter((folder) => !table.has(folder))).toEqual([]);
	expect(table.get('policy')?.has('decision')).toBe(false);
});

// The rules must be able to fail: each of these imports, placed in a src/ file, is reported.
test.each([
	['src/policy/gate.ts', '../decision', /src\/policy may import only shared/],
	['src/policy/gate.ts', '../decision/record', /src\/policy may import only shared/],
	['src/shared/hash.ts', '../policy/types', /src\/shared may import only nothing else/],
	['src/forecast/forecast.ts', 'n8n-workflow', /never imports n8n/],
	['src/kubernetes/client.ts', 'n8n-core', /never imports n8n/],
	['src/cli/commands/sandbox.ts', '../../../test/sandbox/kube/cli', /never imports test\/ or bench\//],
	['src/forecast/m4.ts', '../../bench/repository', /never imports test\/ or bench\//],
	['src/llm/advise.ts', '../../nodes/LlmAdvisor/LlmAdvisor.node', /never imports nodes\//],
	['src/newLayer/thing.ts', '../shared/hash', /is not in ARCHITECTURE.md's "may import" table/],
])('%s importing %s is refused', (file, specifier, message) => {
	const found = violations([{ file, specifier }], allowedImports());
	expect(found).toHaveLength(1);
	expect(found[0]).toMatch(message);
});

test('imports are found in every form they take, and not in comments', () => {
	const source = [
		"import type { A } from '../a';",
		"import {\n\tB,\n\tC,\n} from '../b';",
		"export * from '../c';",
		"import '../d';",
		"const e = await import('../e');",
		"const f = require('../f');",
		"// import { G } from '../g';",
		"/* import { H } from '../h'; */",
	].join('\n');
	expect(importsOf(source)).toEqual(['../a', '../b', '../c', '../d', '../e', '../f']);
});

test('file names under src/ have one case: camelCase (README.md aside)', () => {
	const names = listFiles(SRC).map((file) => path.relative(ROOT, file).split(path.sep).join('/'));
	expect(names.filter((name) => !/^src\/([a-z][A-Za-z0-9]*\/)*([a-z][A-Za-z0-9]*\.ts|README\.md)$/.test(name))).toEqual([]);
});
