import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { ROOT, updateDocBlock } from '../../../bench/repository';

/** The benchmarks write their figures into the documents between markers; the writer finds the one document holding them. */

const START = '<!-- x-bench:start (written by a test) -->';
const END = '<!-- x-bench:end -->';
let dir: string;
let stderr: jest.SpyInstance;

beforeEach(() => {
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-ops-doc-block-'));
	fs.mkdirSync(path.join(dir, 'docs'));
	fs.writeFileSync(path.join(dir, 'README.md'), '# Readme\n');
	stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
});

afterEach(() => {
	stderr.mockRestore();
	fs.rmSync(dir, { recursive: true, force: true });
});

const write = (name: string, text: string) => fs.writeFileSync(path.join(dir, name), text);
const read = (name: string) => fs.readFileSync(path.join(dir, name), 'utf8');

test('rewrites the block in the document that holds it, and only the block', () => {
	write('docs/figures.md', `# Figures\n\nbefore\n${START}\nold figures\n${END}\nafter\n`);
	expect(updateDocBlock(START, END, 'new figures', dir)).toBe(true);
	expect(read('docs/figures.md')).toBe(`# Figures\n\nbefore\n${START}\nnew figures\n${END}\nafter\n`);
	expect(read('README.md')).toBe('# Readme\n');
});

test('links in the block, written from the package root, are rebased for a document in docs/', () => {
	write('docs/figures.md', `${START}\n${END}\n`);
	write('README.md', `# Readme\n${START.replace('x-bench', 'y-bench')}\n${END.replace('x-bench', 'y-bench')}\n`);
	const text = 'tables: [bench/results/simulate.md](bench/results/simulate.md), ![chart](bench/results/a.svg), [web](https://example.com/x), [here](#top)';
	expect(updateDocBlock(START, END, text, dir)).toBe(true);
	expect(read('docs/figures.md')).toBe(`${START}\ntables: [bench/results/simulate.md](../bench/results/simulate.md), ![chart](../bench/results/a.svg), [web](https://example.com/x), [here](#top)\n${END}\n`);
	expect(updateDocBlock(START.replace('x-bench', 'y-bench'), END.replace('x-bench', 'y-bench'), text, dir)).toBe(true);
	expect(read('README.md')).toContain(`\n${text}\n`);
});

test('leaves everything unchanged, and says so, when no document, two documents or no closing marker', () => {
	expect(updateDocBlock(START, END, 'new', dir)).toBe(false);
	expect(String(stderr.mock.calls.at(-1)?.[0])).toMatch(/^no document has the <!-- x-bench:start/);

	write('docs/a.md', `${START}\nold\n${END}\n`);
	write('docs/b.md', `${START}\nold\n${END}\n`);
	expect(updateDocBlock(START, END, 'new', dir)).toBe(false);
	expect(String(stderr.mock.calls.at(-1)?.[0])).toMatch(/^2 documents have the/);
	expect([read('docs/a.md'), read('docs/b.md')]).toEqual([`${START}\nold\n${END}\n`, `${START}\nold\n${END}\n`]);

	fs.rmSync(path.join(dir, 'docs', 'b.md'));
	write('docs/a.md', `${END}\n${START}\nold\n`);
	expect(updateDocBlock(START, END, 'new', dir)).toBe(false);
	expect(String(stderr.mock.calls.at(-1)?.[0])).toMatch(/^docs\/a\.md has <!-- x-bench:start .* but no <!-- x-bench:end --> after it/);
	expect(read('docs/a.md')).toBe(`${END}\n${START}\nold\n`);
});

test('the forecast and simulate figures live in docs/benchmarks.md and docs/simulator.md, once each', () => {
	const docs = ['README.md', ...fs.readdirSync(path.join(ROOT, 'docs')).filter((n) => n.endsWith('.md')).map((n) => `docs/${n}`)];
	const holding = (marker: string) => docs.filter((name) => fs.readFileSync(path.join(ROOT, name), 'utf8').includes(marker));
	expect(holding('<!-- forecast-bench:start')).toEqual(['docs/benchmarks.md']);
	expect(holding('<!-- forecast-bench:end -->')).toEqual(['docs/benchmarks.md']);
	expect(holding('<!-- simulate-bench:start')).toEqual(['docs/simulator.md']);
	expect(holding('<!-- simulate-bench:end -->')).toEqual(['docs/simulator.md']);
});
