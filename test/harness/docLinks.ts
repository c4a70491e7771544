import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Relative links and anchors in Markdown, checked the way GitHub renders
 * them: a link must name an existing file, an anchor a heading of the
 * target file. Links in code blocks and code spans are text, not links.
 */

/** GitHub's heading id: lower case, punctuation dropped, spaces to hyphens; repeats get -1, -2, ... */
export function headingAnchors(markdown: string): Set<string> {
	const anchors = new Set<string>();
	const seen = new Map<string, number>();
	for (const line of outsideCode(markdown, false)) {
		const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
		if (!heading) continue;
		const text = heading[1].replace(/\[([^\]]*)\]\([^)]*\)/g, '$1');
		const slug = text
			.toLowerCase()
			.replace(/[^\p{L}\p{N}\s_-]/gu, '')
			.replace(/ /g, '-');
		const count = seen.get(slug) ?? 0;
		seen.set(slug, count + 1);
		anchors.add(count === 0 ? slug : `${slug}-${count}`);
	}
	return anchors;
}

/** The lines outside fenced code blocks; code spans blanked when `blankSpans` (a heading's id keeps their text). */
function outsideCode(markdown: string, blankSpans: boolean): string[] {
	const lines: string[] = [];
	let fence: string | null = null;
	for (const line of markdown.split(/\r?\n/)) {
		const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
		if (marker && (fence === null || marker.startsWith(fence))) {
			fence = fence === null ? marker : null;
			continue;
		}
		if (fence === null) lines.push(!blankSpans ? line : line.replace(/`[^`]*`/g, (span) => ' '.repeat(span.length)));
	}
	return lines;
}

export interface BrokenLink {
	file: string;
	line: number;
	target: string;
	problem: string;
}

/** Every broken relative link or anchor in `file` (absolute path). */
export function brokenLinks(file: string, root: string): BrokenLink[] {
	const broken: BrokenLink[] = [];
	const anchorsOf = new Map<string, Set<string>>();
	const anchors = (target: string) => {
		if (!anchorsOf.has(target)) anchorsOf.set(target, headingAnchors(fs.readFileSync(target, 'utf8')));
		return anchorsOf.get(target) as Set<string>;
	};
	const lines = outsideCode(fs.readFileSync(file, 'utf8'), true);
	lines.forEach((text, index) => {
		for (const match of text.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
			const target = match[1];
			if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
			const report = (problem: string) => broken.push({ file: path.relative(root, file), line: index + 1, target, problem });
			const hash = target.indexOf('#');
			const filePart = decodeURIComponent(hash === -1 ? target : target.slice(0, hash));
			const anchor = hash === -1 ? null : decodeURIComponent(target.slice(hash + 1));
			const resolved = filePart === '' ? file : path.resolve(path.dirname(file), filePart);
			if (!resolved.startsWith(root + path.sep) && resolved !== root) {
				report('points outside the repository');
				continue;
			}
			if (!fs.existsSync(resolved)) {
				report('no such file');
				continue;
			}
			if (anchor === null) continue;
			if (!resolved.endsWith('.md') || fs.statSync(resolved).isDirectory()) report('an anchor into a file that is not Markdown');
			else if (!anchors(resolved).has(anchor)) report(`no heading #${anchor} in ${path.relative(root, resolved)}`);
		}
	});
	return broken;
}
