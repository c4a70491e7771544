import * as fs from 'node:fs';
import * as path from 'node:path';

/** Where the benchmarks read data and write results: the package root, found from the compiled file or the cwd. */
export const ROOT = findRoot(__dirname) ?? findRoot(process.cwd()) ?? fail('cannot find the n8n-nodes-kube-ops package root');

function findRoot(from: string): string | null {
	for (let dir = from; ; dir = path.dirname(dir)) {
		const manifest = path.join(dir, 'package.json');
		if (fs.existsSync(manifest) && JSON.parse(fs.readFileSync(manifest, 'utf8')).name === 'n8n-nodes-kube-ops') return dir;
		if (path.dirname(dir) === dir) return null;
	}
}

function fail(message: string): never {
	throw new Error(message);
}

/** Replaces the README's (or another document's) block between two markers with a bench's own output, so no figure there is typed by hand. */
export function updateReadmeBlock(start: string, end: string, text: string, document = 'README.md'): void {
	const file = path.join(ROOT, document);
	const readme = fs.readFileSync(file, 'utf8');
	const from = readme.indexOf(start);
	const to = readme.indexOf(end);
	if (from < 0 || to < from) {
		process.stderr.write(`${document} has no ${start} ... ${end} block; left unchanged\n`);
		return;
	}
	fs.writeFileSync(file, `${readme.slice(0, from + start.length)}\n${text}\n${readme.slice(to)}`);
}
