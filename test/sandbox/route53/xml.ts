/**
 * Just enough XML for the Route 53 test double: elements, text and the five
 * predefined entities (Route 53's requests and answers use nothing more; no
 * attributes are read beyond skipping xmlns).
 */

export interface XmlElement {
	name: string;
	children: XmlElement[];
	text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(text: string): string {
	return text.replace(/&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);/gi, (_m, e: string) => {
		if (e[0] !== '#') return ENTITIES[e.toLowerCase()];
		return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
	});
}

export function escapeXml(text: string): string {
	return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** Throws Error('...') on anything malformed; the caller answers 400 MalformedInput. */
export function parseXml(source: string): XmlElement {
	let i = 0;
	const skipProlog = () => {
		for (;;) {
			while (i < source.length && /\s/.test(source[i])) i++;
			if (source.startsWith('<?', i)) {
				const end = source.indexOf('?>', i);
				if (end < 0) throw new Error('unterminated XML declaration');
				i = end + 2;
			} else if (source.startsWith('<!--', i)) {
				const end = source.indexOf('-->', i);
				if (end < 0) throw new Error('unterminated comment');
				i = end + 3;
			} else return;
		}
	};
	const element = (depth: number): XmlElement => {
		if (depth > 32) throw new Error('XML nested too deep');
		if (source[i] !== '<') throw new Error(`expected an element at ${i}`);
		const open = /^<([A-Za-z_][\w.-]*)((?:\s+[\w:.-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/.exec(source.slice(i, i + 1024));
		if (!open) throw new Error(`malformed tag at ${i}`);
		i += open[0].length;
		const node: XmlElement = { name: open[1], children: [], text: '' };
		if (open[3] === '/') return node;
		for (;;) {
			const next = source.indexOf('<', i);
			if (next < 0) throw new Error(`unclosed element ${node.name}`);
			node.text += decode(source.slice(i, next));
			i = next;
			if (source.startsWith('</', i)) {
				const close = /^<\/([A-Za-z_][\w.-]*)\s*>/.exec(source.slice(i, i + 300));
				if (!close || close[1] !== node.name) throw new Error(`mismatched closing tag for ${node.name}`);
				i += close[0].length;
				if (node.children.length) node.text = node.text.trim();
				return node;
			}
			if (source.startsWith('<!--', i)) {
				const end = source.indexOf('-->', i);
				if (end < 0) throw new Error('unterminated comment');
				i = end + 3;
				continue;
			}
			node.children.push(element(depth + 1));
		}
	};
	skipProlog();
	const root = element(0);
	skipProlog();
	if (i !== source.length) throw new Error('content after the root element');
	return root;
}

export function child(node: XmlElement, name: string): XmlElement | undefined {
	return node.children.find((c) => c.name === name);
}

export function children(node: XmlElement | undefined, name: string): XmlElement[] {
	return node ? node.children.filter((c) => c.name === name) : [];
}

export function textOf(node: XmlElement, name: string): string | undefined {
	return child(node, name)?.text;
}
