import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

import { type XmlElement, child, children, escapeXml, parseXml, textOf } from './xml';

/**
 * A contract test double for the part of the Route 53 REST XML API (version
 * 2013-04-01) the Route 53 provider uses, written from AWS's API reference
 * (AWS cannot be reached from CI), spoken to by the real AWS SDK v3 client:
 *
 * - ListHostedZonesByName  GET  /2013-04-01/hostedzonesbyname?dnsname&maxitems
 *   -> ListHostedZonesByNameResponse { HostedZones/HostedZone{Id,Name,CallerReference,Config,ResourceRecordSetCount}, DNSName, IsTruncated, MaxItems }
 * - ListResourceRecordSets GET  /2013-04-01/hostedzone/{Id}/rrset?name&type&identifier&maxitems
 *   -> ListResourceRecordSetsResponse { ResourceRecordSets/ResourceRecordSet, IsTruncated, MaxItems, NextRecordName/Type/Identifier }
 *   sorted as Route 53 sorts: name with its labels reversed, then type, then set identifier.
 * - ChangeResourceRecordSets POST /2013-04-01/hostedzone/{Id}/rrset  (ChangeResourceRecordSetsRequest/ChangeBatch/Changes/Change{Action,ResourceRecordSet})
 *   -> ChangeResourceRecordSetsResponse { ChangeInfo{Id,Status PENDING,SubmittedAt,Comment} }
 *   all or nothing: every change is checked against a working copy; a DELETE must match the live record exactly,
 *   a CREATE must not exist yet, else 400 with the standard ErrorResponse and Code InvalidChangeBatch, its Message
 *   the bracketed list of AWS's sentences (the form AWS returns today, see aws-sdk-kotlin#1435).
 * - GetChange GET /2013-04-01/change/{Id} -> GetChangeResponse { ChangeInfo }: PENDING for `insyncAfterPolls` looks, then INSYNC.
 * - GetHealthCheckStatus GET /2013-04-01/healthcheck/{Id}/status
 *   -> GetHealthCheckStatusResponse { HealthCheckObservations/HealthCheckObservation{Region,IPAddress,StatusReport{Status,CheckedTime}} }
 *
 * Every request must carry a valid AWS Signature Version 4 (the signature is
 * recomputed from the secret key), else 403 as AWS answers.
 */

const NS = 'https://route53.amazonaws.com/doc/2013-04-01/';
const REGIONS = ['us-east-1', 'us-west-1', 'us-west-2', 'eu-west-1', 'ap-southeast-1', 'ap-southeast-2', 'ap-northeast-1', 'sa-east-1'];

export interface RecordSet {
	Name: string;
	Type: string;
	SetIdentifier?: string;
	Weight?: number;
	Failover?: 'PRIMARY' | 'SECONDARY';
	TTL?: number;
	ResourceRecords?: string[];
	HealthCheckId?: string;
}

export interface HostedZone {
	id: string;
	name: string;
	records: RecordSet[];
}

export interface HealthCheck {
	id: string;
	/** Of the 8 checker regions, how many report Success (Route 53: healthy when more than 18%). */
	healthyCheckers: number;
}

export interface Route53Request {
	method: string;
	path: string;
	query: Record<string, string>;
	status: number;
	/** The Authorization header was a SigV4 signature that verified. */
	signed: boolean;
	body?: string;
}

export interface Route53Sandbox {
	endpoint: string;
	accessKeyId: string;
	secretAccessKey: string;
	zone: HostedZone;
	zones: Map<string, HostedZone>;
	healthChecks: Map<string, HealthCheck>;
	/** The health check attached to a region's record of shop.example.com. */
	healthCheckId(region: string): string;
	setHealthy(region: string, healthy: boolean): void;
	/** GetChange looks that answer PENDING before INSYNC (default 2). */
	insyncAfterPolls: number;
	requests: Route53Request[];
	/** Runs right before a change batch is checked: a concurrent writer's edit lands here. */
	beforeChange?: () => void;
	/** The weighted record of shop.example.com for a set identifier. */
	record(setIdentifier: string, name?: string): RecordSet | undefined;
	close(): Promise<void>;
}

export interface Route53SandboxOptions {
	/** TTL of the shop.example.com records (default 60). */
	ttl?: number;
	insyncAfterPolls?: number;
	/** Set identifiers of the two weighted records of shop.example.com (default us-east, eu-west). */
	regions?: [string, string];
}

class AwsError extends Error {
	constructor(
		readonly status: number,
		readonly code: string,
		message: string,
		readonly type: 'Sender' | 'Receiver' = 'Sender',
	) {
		super(message);
	}
}

function fqdn(name: string): string {
	const lower = name.toLowerCase().replace(/\*/g, '\\052');
	return lower.endsWith('.') ? lower : `${lower}.`;
}

function sortKey(name: string): string {
	return fqdn(name).split('.').filter(Boolean).reverse().join('.');
}

function compareRecords(a: { Name: string; Type: string; SetIdentifier?: string }, b: { Name: string; Type: string; SetIdentifier?: string }): number {
	return sortKey(a.Name).localeCompare(sortKey(b.Name)) || a.Type.localeCompare(b.Type) || (a.SetIdentifier ?? '').localeCompare(b.SetIdentifier ?? '');
}

function describe(r: RecordSet): string {
	return `[name='${r.Name}', type='${r.Type}'${r.SetIdentifier !== undefined ? `, set-identifier='${r.SetIdentifier}'` : ''}]`;
}

function sameRecord(a: RecordSet, b: RecordSet): boolean {
	const values = (r: RecordSet) => JSON.stringify([...(r.ResourceRecords ?? [])].sort());
	return (
		a.Name === b.Name &&
		a.Type === b.Type &&
		a.SetIdentifier === b.SetIdentifier &&
		a.Weight === b.Weight &&
		a.Failover === b.Failover &&
		a.TTL === b.TTL &&
		a.HealthCheckId === b.HealthCheckId &&
		values(a) === values(b)
	);
}

function recordXml(r: RecordSet): string {
	const f = (name: string, value: unknown) => (value === undefined ? '' : `<${name}>${escapeXml(String(value))}</${name}>`);
	return (
		'<ResourceRecordSet>' +
		f('Name', r.Name) +
		f('Type', r.Type) +
		f('SetIdentifier', r.SetIdentifier) +
		f('Weight', r.Weight) +
		f('Failover', r.Failover) +
		f('TTL', r.TTL) +
		(r.ResourceRecords ? `<ResourceRecords>${r.ResourceRecords.map((v) => `<ResourceRecord><Value>${escapeXml(v)}</Value></ResourceRecord>`).join('')}</ResourceRecords>` : '') +
		f('HealthCheckId', r.HealthCheckId) +
		'</ResourceRecordSet>'
	);
}

function parseRecord(node: XmlElement | undefined): RecordSet {
	if (!node) throw new AwsError(400, 'InvalidInput', 'Invalid request: Missing field ResourceRecordSet');
	const known = new Set(['Name', 'Type', 'SetIdentifier', 'Weight', 'Failover', 'TTL', 'ResourceRecords', 'HealthCheckId']);
	for (const c of node.children) if (!known.has(c.name)) throw new AwsError(400, 'InvalidInput', `Invalid XML ; unexpected element ${c.name} in ResourceRecordSet`);
	const name = textOf(node, 'Name');
	const type = textOf(node, 'Type');
	if (!name || !type) throw new AwsError(400, 'InvalidInput', 'Invalid request: Name and Type are required');
	const num = (field: string, max: number): number | undefined => {
		const text = textOf(node, field);
		if (text === undefined) return undefined;
		const n = Number(text);
		if (!/^\d+$/.test(text) || n > max) throw new AwsError(400, 'InvalidInput', `Invalid request: ${field} ${text} is out of range`);
		return n;
	};
	const record: RecordSet = { Name: fqdn(name), Type: type };
	const set = textOf(node, 'SetIdentifier');
	if (set !== undefined) record.SetIdentifier = set;
	const weight = num('Weight', 255);
	if (weight !== undefined) record.Weight = weight;
	const failover = textOf(node, 'Failover');
	if (failover !== undefined) {
		if (failover !== 'PRIMARY' && failover !== 'SECONDARY') throw new AwsError(400, 'InvalidInput', `Invalid request: Failover ${failover}`);
		record.Failover = failover;
	}
	const ttl = num('TTL', 2147483647);
	if (ttl !== undefined) record.TTL = ttl;
	const values = children(child(node, 'ResourceRecords'), 'ResourceRecord').map((r) => textOf(r, 'Value') ?? '');
	if (child(node, 'ResourceRecords')) record.ResourceRecords = values;
	const hc = textOf(node, 'HealthCheckId');
	if (hc !== undefined) record.HealthCheckId = hc;
	if ((record.SetIdentifier === undefined) !== (record.Weight === undefined && record.Failover === undefined)) {
		throw new AwsError(400, 'InvalidInput', 'Invalid request: SetIdentifier goes with Weight or Failover');
	}
	if (record.TTL === undefined || !record.ResourceRecords?.length) throw new AwsError(400, 'InvalidInput', 'Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords]]');
	return record;
}

// SigV4 (AWS General Reference, "Create a signed AWS API request"): recompute the signature from the secret.
function rfc3986(text: string): string {
	return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function verifySigV4(req: http.IncomingMessage, rawPath: string, rawQuery: string, body: Buffer, accessKeyId: string, secret: string): void {
	const authorization = req.headers.authorization;
	if (!authorization) throw new AwsError(403, 'MissingAuthenticationToken', 'Missing Authentication Token');
	const m = /^AWS4-HMAC-SHA256 Credential=([^/,]+)\/(\d{8})\/([^/,]+)\/([^/,]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/.exec(authorization);
	if (!m) throw new AwsError(403, 'IncompleteSignature', 'Authorization header requires Credential, SignedHeaders and Signature');
	const [, keyId, date, region, service, signedHeaders, signature] = m;
	if (keyId !== accessKeyId) throw new AwsError(403, 'InvalidClientTokenId', 'The security token included in the request is invalid.');
	if (service !== 'route53') throw new AwsError(403, 'SignatureDoesNotMatch', `Credential should be scoped to correct service: 'route53'.`);
	const amzDate = String(req.headers['x-amz-date'] ?? '');
	if (!amzDate.startsWith(date) || !signedHeaders.split(';').includes('host') || !signedHeaders.split(';').includes('x-amz-date')) {
		throw new AwsError(403, 'IncompleteSignature', 'Signature must cover host and x-amz-date');
	}
	const uri = rawPath.split('/').map((s) => rfc3986(s)).join('/');
	const query = rawQuery
		? rawQuery
				.split('&')
				.map((pair) => {
					const at = pair.indexOf('=');
					const k = decodeURIComponent(at < 0 ? pair : pair.slice(0, at));
					const v = at < 0 ? '' : decodeURIComponent(pair.slice(at + 1).replace(/\+/g, '%20'));
					return [rfc3986(k), rfc3986(v)];
				})
				.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
				.map(([k, v]) => `${k}=${v}`)
				.join('&')
		: '';
	const headers = signedHeaders
		.split(';')
		.map((h) => `${h}:${String(req.headers[h] ?? '').trim().replace(/\s+/g, ' ')}\n`)
		.join('');
	const payload = String(req.headers['x-amz-content-sha256'] ?? '') || createHash('sha256').update(body).digest('hex');
	const canonical = [req.method, uri, query, headers, signedHeaders, payload].join('\n');
	const scope = `${date}/${region}/${service}/aws4_request`;
	const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, createHash('sha256').update(canonical).digest('hex')].join('\n');
	let key: Buffer = createHmac('sha256', `AWS4${secret}`).update(date).digest();
	for (const part of [region, service, 'aws4_request']) key = createHmac('sha256', key).update(part).digest();
	const expected = createHmac('sha256', key).update(toSign).digest('hex');
	if (expected !== signature) {
		throw new AwsError(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.');
	}
}

function zoneId(): string {
	return `Z${randomBytes(10).toString('hex').toUpperCase().slice(0, 19)}`;
}

export async function startRoute53Sandbox(options: Route53SandboxOptions = {}): Promise<Route53Sandbox> {
	const accessKeyId = `AKIA${randomBytes(8).toString('hex').toUpperCase()}`;
	const secretAccessKey = randomBytes(30).toString('base64').slice(0, 40);
	const ttl = options.ttl ?? 60;
	const healthChecks = new Map<string, HealthCheck>();
	const addCheck = (): string => {
		const id = randomUUID();
		healthChecks.set(id, { id, healthyCheckers: REGIONS.length });
		return id;
	};
	const [first, second] = options.regions ?? ['us-east', 'eu-west'];
	const checks: Record<string, string> = { [first]: addCheck(), [second]: addCheck() };
	const zone: HostedZone = {
		id: zoneId(),
		name: 'example.com.',
		records: [
			{ Name: 'example.com.', Type: 'SOA', TTL: 900, ResourceRecords: ['ns-1.awsdns-01.org. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400'] },
			{ Name: 'example.com.', Type: 'NS', TTL: 172800, ResourceRecords: ['ns-1.awsdns-01.org.', 'ns-2.awsdns-02.co.uk.'] },
			{ Name: 'shop.example.com.', Type: 'A', SetIdentifier: first, Weight: 100, TTL: ttl, ResourceRecords: ['192.0.2.10'], HealthCheckId: checks[first] },
			{ Name: 'shop.example.com.', Type: 'A', SetIdentifier: second, Weight: 100, TTL: ttl, ResourceRecords: ['198.51.100.10'], HealthCheckId: checks[second] },
			{ Name: 'api.example.com.', Type: 'A', SetIdentifier: 'primary', Failover: 'PRIMARY', TTL: 60, ResourceRecords: ['192.0.2.20'], HealthCheckId: checks[first] },
			{ Name: 'api.example.com.', Type: 'A', SetIdentifier: 'secondary', Failover: 'SECONDARY', TTL: 60, ResourceRecords: ['198.51.100.20'] },
			{ Name: 'www.example.com.', Type: 'A', TTL: 300, ResourceRecords: ['192.0.2.30'] },
		],
	};
	// A zone named like the start of ours sorts first in ListHostedZonesByName; the provider must not take it.
	const other: HostedZone = { id: zoneId(), name: 'a-example.com.', records: [] };
	const zones = new Map([zone, other].map((z) => [z.id, z]));
	const changes = new Map<string, { polls: number; submittedAt: string; comment?: string }>();
	const requests: Route53Request[] = [];
	const sandbox = { insyncAfterPolls: options.insyncAfterPolls ?? 2 };
	const hooks: { beforeChange?: () => void } = {};

	const zoneOr404 = (id: string): HostedZone => {
		const found = zones.get(id);
		if (!found) throw new AwsError(404, 'NoSuchHostedZone', `No hosted zone found with ID: ${id}`);
		return found;
	};

	const changeInfo = (id: string): string => {
		const c = changes.get(id);
		if (!c) throw new AwsError(404, 'NoSuchChange', `Could not find resource with ID: ${id}`);
		const status = c.polls > sandbox.insyncAfterPolls ? 'INSYNC' : 'PENDING';
		return `<ChangeInfo><Id>/change/${id}</Id><Status>${status}</Status><SubmittedAt>${c.submittedAt}</SubmittedAt>${c.comment ? `<Comment>${escapeXml(c.comment)}</Comment>` : ''}</ChangeInfo>`;
	};

	const applyBatch = (target: HostedZone, body: string): string => {
		let root: XmlElement;
		try {
			root = parseXml(body);
		} catch (error) {
			throw new AwsError(400, 'MalformedInput', `Unable to parse XML: ${(error as Error).message}`);
		}
		if (root.name !== 'ChangeResourceRecordSetsRequest') throw new AwsError(400, 'MalformedInput', 'ChangeBatch is not valid, expected ChangeResourceRecordSetsRequest');
		const batch = child(root, 'ChangeBatch');
		const list = children(child(batch ?? root, 'Changes'), 'Change');
		if (!batch || list.length === 0) throw new AwsError(400, 'InvalidInput', 'Invalid request: Expected at least one Change');
		if (list.length > 1000) throw new AwsError(400, 'InvalidInput', 'Invalid request: more than 1000 changes');
		hooks.beforeChange?.();
		// All or nothing: work on a copy, keep it only if every change applies.
		const working = target.records.map((r) => ({ ...r }));
		const problems: string[] = [];
		for (const change of list) {
			const action = textOf(change, 'Action');
			const record = parseRecord(child(change, 'ResourceRecordSet'));
			if (record.Name !== target.name && !record.Name.endsWith(`.${target.name}`)) {
				problems.push(`RRSet with DNS name ${record.Name} is not permitted in zone ${target.name}`);
				continue;
			}
			if (record.HealthCheckId !== undefined && !healthChecks.has(record.HealthCheckId)) {
				throw new AwsError(400, 'NoSuchHealthCheck', `A health check with id ${record.HealthCheckId} does not exist.`);
			}
			// A TXT value is one or more quoted character strings of at most 255 characters each (RFC 1035 3.3).
			const tooLong = record.Type === 'TXT' ? (record.ResourceRecords ?? []).find((v) => (v.match(/"((?:[^"\\]|\\.)*)"/g) ?? [v]).some((part) => part.length - 2 > 255)) : undefined;
			if (tooLong !== undefined) {
				problems.push(`Invalid Resource Record: 'FATAL problem: CharacterStringTooLong (Value is too long) encountered with '${tooLong.slice(0, 40)}''`);
				continue;
			}
			const at = working.findIndex((r) => r.Name === record.Name && r.Type === record.Type && r.SetIdentifier === record.SetIdentifier);
			if (action === 'CREATE') {
				if (at >= 0) problems.push(`Tried to create resource record set ${describe(record)} but it already exists`);
				else working.push(record);
			} else if (action === 'DELETE') {
				if (at < 0) problems.push(`Tried to delete resource record set ${describe(record)} but it was not found`);
				else if (!sameRecord(working[at], record)) problems.push(`Tried to delete resource record set ${describe(record)} but the values provided do not match the current values`);
				else working.splice(at, 1);
			} else if (action === 'UPSERT') {
				if (at >= 0) working[at] = record;
				else working.push(record);
			} else {
				throw new AwsError(400, 'InvalidInput', `Invalid request: Action ${action}`);
			}
		}
		if (problems.length) throw new AwsError(400, 'InvalidChangeBatch', `[${problems.join(', ')}]`);
		target.records = working;
		const id = `C${randomBytes(10).toString('hex').toUpperCase()}`;
		changes.set(id, { polls: 0, submittedAt: new Date().toISOString(), comment: textOf(batch, 'Comment') });
		return `<ChangeResourceRecordSetsResponse xmlns="${NS}">${changeInfo(id)}</ChangeResourceRecordSetsResponse>`;
	};

	const listRecords = (target: HostedZone, query: Record<string, string>): string => {
		const max = Math.min(300, Math.max(1, Number(query.maxitems ?? 300) || 300));
		if (query.type && !query.name) throw new AwsError(400, 'InvalidInput', 'The input is not valid: type needs name');
		const start = query.name ? { Name: fqdn(query.name), Type: query.type ?? '', SetIdentifier: query.identifier } : undefined;
		const sorted = [...target.records].sort(compareRecords);
		const from = start ? sorted.filter((r) => compareRecords(r, start) >= 0) : sorted;
		const page = from.slice(0, max);
		const next = from[max];
		return (
			`<ListResourceRecordSetsResponse xmlns="${NS}"><ResourceRecordSets>${page.map(recordXml).join('')}</ResourceRecordSets>` +
			`<IsTruncated>${next ? 'true' : 'false'}</IsTruncated>` +
			(next ? `<NextRecordName>${escapeXml(next.Name)}</NextRecordName><NextRecordType>${next.Type}</NextRecordType>${next.SetIdentifier !== undefined ? `<NextRecordIdentifier>${escapeXml(next.SetIdentifier)}</NextRecordIdentifier>` : ''}` : '') +
			`<MaxItems>${max}</MaxItems></ListResourceRecordSetsResponse>`
		);
	};

	const listZones = (query: Record<string, string>): string => {
		const max = Math.min(100, Math.max(1, Number(query.maxitems ?? 100) || 100));
		const sorted = [...zones.values()].sort((a, b) => sortKey(a.name).localeCompare(sortKey(b.name)));
		const from = query.dnsname ? sorted.filter((z) => sortKey(z.name).localeCompare(sortKey(query.dnsname)) >= 0) : sorted;
		const page = from.slice(0, max);
		return (
			`<ListHostedZonesByNameResponse xmlns="${NS}"><HostedZones>` +
			page
				.map(
					(z) =>
						`<HostedZone><Id>/hostedzone/${z.id}</Id><Name>${z.name}</Name><CallerReference>${z.id.toLowerCase()}</CallerReference><Config><PrivateZone>false</PrivateZone></Config><ResourceRecordSetCount>${z.records.length}</ResourceRecordSetCount></HostedZone>`,
				)
				.join('') +
			`</HostedZones>${query.dnsname ? `<DNSName>${escapeXml(query.dnsname)}</DNSName>` : ''}<IsTruncated>${from.length > max ? 'true' : 'false'}</IsTruncated><MaxItems>${max}</MaxItems></ListHostedZonesByNameResponse>`
		);
	};

	const healthStatus = (id: string): string => {
		const check = healthChecks.get(id);
		if (!check) throw new AwsError(404, 'NoSuchHealthCheck', `A health check with id ${id} does not exist.`);
		const now = new Date().toISOString();
		return (
			`<GetHealthCheckStatusResponse xmlns="${NS}"><HealthCheckObservations>` +
			REGIONS.map(
				(region, i) =>
					`<HealthCheckObservation><Region>${region}</Region><IPAddress>15.177.${i}.1</IPAddress><StatusReport><Status>${
						i < check.healthyCheckers ? 'Success: HTTP Status Code 200, OK' : 'Failure: Connection timed out. The endpoint or the internet connection is down, or requests are being blocked by your firewall.'
					}</Status><CheckedTime>${now}</CheckedTime></StatusReport></HealthCheckObservation>`,
			).join('') +
			'</HealthCheckObservations></GetHealthCheckStatusResponse>'
		);
	};

	const route = (method: string, path: string, query: Record<string, string>, body: string): string => {
		let m: RegExpExecArray | null;
		if (path === '/2013-04-01/hostedzonesbyname' && method === 'GET') return listZones(query);
		if ((m = /^\/2013-04-01\/hostedzone\/([A-Z0-9]+)\/rrset\/?$/.exec(path))) {
			const target = zoneOr404(m[1]);
			if (method === 'GET') return listRecords(target, query);
			if (method === 'POST') return applyBatch(target, body);
		}
		if ((m = /^\/2013-04-01\/change\/([A-Z0-9]+)$/.exec(path)) && method === 'GET') {
			const c = changes.get(m[1]);
			if (c) c.polls++;
			return `<GetChangeResponse xmlns="${NS}">${changeInfo(m[1])}</GetChangeResponse>`;
		}
		if ((m = /^\/2013-04-01\/healthcheck\/([0-9a-f-]+)\/status$/.exec(path)) && method === 'GET') return healthStatus(m[1]);
		throw new AwsError(404, 'UnknownOperationException', `No operation for ${method} ${path}`);
	};

	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			const raw = req.url ?? '/';
			const q = raw.indexOf('?');
			const rawPath = q < 0 ? raw : raw.slice(0, q);
			const rawQuery = q < 0 ? '' : raw.slice(q + 1);
			const url = new URL(raw, 'http://route53');
			const query = Object.fromEntries(url.searchParams);
			const body = Buffer.concat(chunks);
			const record: Route53Request = { method: req.method ?? 'GET', path: url.pathname, query, status: 200, signed: false, ...(body.length ? { body: body.toString('utf8') } : {}) };
			requests.push(record);
			const requestId = randomUUID();
			try {
				verifySigV4(req, rawPath, rawQuery, body, accessKeyId, secretAccessKey);
				record.signed = true;
				const xml = route(record.method, decodeURIComponent(url.pathname), query, body.toString('utf8'));
				res.writeHead(200, { 'Content-Type': 'text/xml', 'x-amzn-RequestId': requestId });
				res.end(`<?xml version="1.0" encoding="UTF-8"?>\n${xml}`);
			} catch (error) {
				const e = error instanceof AwsError ? error : new AwsError(500, 'InternalFailure', String(error), 'Receiver');
				record.status = e.status;
				res.writeHead(e.status, { 'Content-Type': 'text/xml', 'x-amzn-RequestId': requestId });
				res.end(
					`<?xml version="1.0"?>\n<ErrorResponse xmlns="${NS}"><Error><Type>${e.type}</Type><Code>${e.code}</Code><Message>${escapeXml(e.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
				);
			}
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		endpoint: `http://127.0.0.1:${port}`,
		accessKeyId,
		secretAccessKey,
		zone,
		zones,
		healthChecks,
		healthCheckId: (region) => checks[region],
		setHealthy: (region, healthy) => {
			const check = healthChecks.get(checks[region]);
			if (!check) throw new Error(`no health check for ${region}`);
			check.healthyCheckers = healthy ? REGIONS.length : 0;
		},
		get insyncAfterPolls() {
			return sandbox.insyncAfterPolls;
		},
		set insyncAfterPolls(n: number) {
			sandbox.insyncAfterPolls = n;
		},
		requests,
		get beforeChange() {
			return hooks.beforeChange;
		},
		set beforeChange(fn: (() => void) | undefined) {
			hooks.beforeChange = fn;
		},
		record: (setIdentifier, name = 'shop.example.com.') => zone.records.find((r) => r.Name === name && r.SetIdentifier === setIdentifier),
		close: () =>
			new Promise((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}
