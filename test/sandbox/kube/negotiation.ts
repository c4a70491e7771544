/** What the client asked for in its Accept header, in the server's terms. */
export type Representation =
	| { as: 'json' }
	| { as: 'table'; version: string }
	| { as: 'partial'; version: string }
	| { as: 'discovery'; version: 'v2' | 'v2beta1' };

interface MediaRange {
	type: string;
	params: Record<string, string>;
}

function parseAccept(header: string): MediaRange[] {
	return header
		.split(',')
		.map((part) => part.trim())
		.filter(Boolean)
		.map((part) => {
			const [type, ...rest] = part.split(';');
			const params: Record<string, string> = {};
			for (const p of rest) {
				const eq = p.indexOf('=');
				if (eq > 0) params[p.slice(0, eq).trim().toLowerCase()] = p.slice(eq + 1).trim().replace(/^"|"$/g, '');
			}
			return { type: type.trim().toLowerCase(), params };
		});
}

/**
 * Picks the first representation the sandbox can produce, in the client's
 * order (client-go lists its preferences first). JSON only: protobuf and
 * YAML ranges are passed over, and a client that accepts nothing else gets
 * undefined (406).
 */
export function negotiate(header: string | undefined, allowed: { table?: boolean; partial?: boolean; discovery?: boolean }): Representation | undefined {
	if (!header || !header.trim()) return { as: 'json' };
	for (const range of parseAccept(header)) {
		const jsonLike = range.type === 'application/json' || range.type === '*/*' || range.type === 'application/*';
		if (!jsonLike) continue;
		const { as, g, v } = range.params;
		if (!as) return { as: 'json' };
		if (as === 'Table' && g === 'meta.k8s.io' && (v === 'v1' || v === 'v1beta1')) {
			if (allowed.table) return { as: 'table', version: v };
			continue;
		}
		if ((as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList') && g === 'meta.k8s.io' && (v === 'v1' || v === 'v1beta1')) {
			if (allowed.partial) return { as: 'partial', version: v };
			continue;
		}
		if (as === 'APIGroupDiscoveryList' && g === 'apidiscovery.k8s.io' && (v === 'v2' || v === 'v2beta1')) {
			if (allowed.discovery) return { as: 'discovery', version: v };
			continue;
		}
	}
	return undefined;
}

export function acceptsAnyJson(header: string | undefined): boolean {
	return !header || parseAccept(header).some((r) => r.type === 'application/json' || r.type === '*/*' || r.type === 'application/*');
}
