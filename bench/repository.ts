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

/**
 * Replaces the block between two markers with a bench's own output, so no figure in the docs is typed by hand.
 * The block lives in whichever document holds the markers (docs/benchmarks.md, docs/simulator.md): found, not
 * hard-coded, so moving a section between documents cannot silently stop its updates.
 */
export function updateDocBlock(start: string, end: string, text: string, root: string = ROOT): boolean {
	const candidates = [path.join(root, 'README.md'), ...fs.readdirSync(path.join(root, 'docs')).filter((name) => name.endsWith('.md')).map((name) => path.join(root, 'docs', name))];
	const holders = candidates.filter((file) => fs.existsSync(file) && fs.readFileSync(file, 'utf8').includes(start));
	if (holders.length !== 1) {
		process.stderr.write(`${holders.length === 0 ? 'no document has' : `${holders.length} documents have`} the ${start} ... ${end} block; left unchanged\n`);
		return false;
	}
	const [file] = holders;
	const doc = fs.readFileSync(file, 'utf8');
	const from = doc.indexOf(start);
	const to = doc.indexOf(end, from + start.length);
	if (to < 0) {
		process.stderr.write(`${path.relative(root, file)} has ${start} but no ${end} after it; left unchanged\n`);
		return false;
	}
	fs.writeFileSync(file, `${doc.slice(0, from + start.length)}\n${rebaseLinks(text, path.relative(root, path.dirname(file)))}\n${doc.slice(to)}`);
	return true;
}

/** The benches write links from the package root (`bench/results/simulate.md`); a block in docs/ needs them from there. */
function rebaseLinks(text: string, fromDir: string): string {
	if (fromDir === '') return text;
	return text.replace(/(\]\()([^)\s#]+)/g, (whole, open: string, target: string) =>
		/^[a-z][a-z0-9+.-]*:|^\//i.test(target) ? whole : `${open}${path.posix.relative(fromDir.split(path.sep).join('/'), target)}`,
	);
}
