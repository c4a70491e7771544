import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { brokenLinks, headingAnchors } from '../harness/docLinks';

const ROOT = path.resolve(__dirname, '..', '..');

/** The documents a reader follows links through: the README, the architecture map, and docs/. */
function documents(): string[] {
	const docs = fs.readdirSync(path.join(ROOT, 'docs')).filter((name) => name.endsWith('.md')).map((name) => path.join(ROOT, 'docs', name));
	return [path.join(ROOT, 'README.md'), path.join(ROOT, 'ARCHITECTURE.md'), path.join(ROOT, 'SECURITY.md'), ...docs].filter((file) => fs.existsSync(file));
}

test('every relative link and anchor in the README, ARCHITECTURE.md, SECURITY.md and docs/ resolves', () => {
	const files = documents();
	expect(files.map((file) => path.relative(ROOT, file))).toEqual(expect.arrayContaining(['README.md', 'docs/workflows.md', 'docs/cli.md']));
	expect(files.flatMap((file) => brokenLinks(file, ROOT))).toEqual([]);
});

test('the README links to every document in docs/', () => {
	const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
	const unlinked = fs
		.readdirSync(path.join(ROOT, 'docs'))
		.filter((name) => name.endsWith('.md'))
		.filter((name) => !readme.includes(`(docs/${name}`) && !documents().some((file) => fs.readFileSync(file, 'utf8').includes(`(${name}`)));
	expect(unlinked).toEqual([]);
});

describe('the checker', () => {
	let dir: string;
	beforeAll(() => {
		dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-ops-doc-links-'));
		fs.mkdirSync(path.join(dir, 'docs'));
		fs.writeFileSync(path.join(dir, 'docs', 'b.md'), '# B\n\n## Tuning (`kube-ops simulate --tune`)\n\n## Tuning (`kube-ops simulate --tune`)\n');
		fs.writeFileSync(path.join(dir, 'data.yaml'), 'a: 1\n');
	});
	afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

	function check(markdown: string) {
		const file = path.join(dir, 'README.md');
		fs.writeFileSync(file, markdown);
		return brokenLinks(file, dir).map(({ line, target, problem }) => ({ line, target, problem }));
	}

	test('reads headings as GitHub names them, repeats numbered', () => {
		expect([...headingAnchors('# A b\n## The lock: `src/kubernetes/lease.ts`\n```\n# not a heading\n```\n## A b\n')]).toEqual(['a-b', 'the-lock-srckubernetesleasets', 'a-b-1']);
	});

	test('accepts good links, web links and code', () => {
		expect(
			check(
				'[b](docs/b.md#tuning-kube-ops-simulate---tune) [again](docs/b.md#tuning-kube-ops-simulate---tune-1) ![x](data.yaml) [w](https://example.com/nope.md)\n# Top\n[self](#top)\n`[not](a-link.md)`\n```\n[neither](gone.md)\n```\n',
			),
		).toEqual([]);
	});

	test('fails on a missing file, a missing heading, an anchor into a non-Markdown file and a path out of the repository', () => {
		expect(check('# Top\n[a](docs/gone.md)\n[b](docs/b.md#tuning)\n[c](#bottom)\n[d](data.yaml#L1)\n[e](../outside.md)\n')).toEqual([
			{ line: 2, target: 'docs/gone.md', problem: 'no such file' },
			{ line: 3, target: 'docs/b.md#tuning', problem: 'no heading #tuning in docs/b.md' },
			{ line: 4, target: '#bottom', problem: 'no heading #bottom in README.md' },
			{ line: 5, target: 'data.yaml#L1', problem: 'an anchor into a file that is not Markdown' },
			{ line: 6, target: '../outside.md', problem: 'points outside the repository' },
		]);
	});
});
