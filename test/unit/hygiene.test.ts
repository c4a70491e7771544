import * as fs from 'node:fs';
import * as path from 'node:path';

/** CI must run every test: no focused, skipped or placeholder tests slip in. */
test('no .only, .skip, xit/xtest/xdescribe or .todo in the test suite', () => {
	const offenders: string[] = [];
	const walk = (dir: string) => {
		for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
			const full = path.join(dir, entry.name);
			if (entry.isDirectory()) walk(full);
			else if (entry.name.endsWith('.test.ts')) {
				fs.readFileSync(full, 'utf8')
					.split('\n')
					.forEach((line, i) => {
						if (/\b(test|it|describe)\.(only|skip|todo)\b|\bx(it|test|describe)\(|\bf(it|describe)\(/.test(line)) {
							offenders.push(`${path.relative(process.cwd(), full)}:${i + 1}: ${line.trim()}`);
						}
					});
			}
		}
	};
	walk(path.join(__dirname, '..'));
	expect(offenders).toEqual([]);
});
