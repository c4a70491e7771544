import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { isIP } from 'node:net';

/*
 * client-go only sends bearer tokens over TLS (kubernetes/kubectl#744), so
 * the sandbox serves HTTPS with a throwaway self-signed certificate that the
 * kubeconfig pins as its certificate authority. Node can make keys but not
 * certificates, hence this small DER encoder for one X.509 v3 certificate.
 */

function length(n: number): Buffer {
	if (n < 0x80) return Buffer.from([n]);
	const bytes: number[] = [];
	for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
	return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, content: Buffer): Buffer {
	return Buffer.concat([Buffer.from([tag]), length(content.length), content]);
}

const sequence = (...items: Buffer[]) => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]) => tlv(0x31, Buffer.concat(items));
const octets = (content: Buffer) => tlv(0x04, content);
const bitString = (content: Buffer, unusedBits = 0) => tlv(0x03, Buffer.concat([Buffer.from([unusedBits]), content]));
const boolTrue = () => tlv(0x01, Buffer.from([0xff]));
const utf8 = (text: string) => tlv(0x0c, Buffer.from(text, 'utf8'));
const explicit = (n: number, content: Buffer) => tlv(0xa0 + n, content);

function integer(value: Buffer): Buffer {
	let bytes = value;
	while (bytes.length > 1 && bytes[0] === 0 && (bytes[1] & 0x80) === 0) bytes = bytes.subarray(1);
	if (bytes[0] & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
	return tlv(0x02, bytes);
}

function oid(dotted: string): Buffer {
	const parts = dotted.split('.').map(Number);
	const out = [parts[0] * 40 + parts[1]];
	for (const part of parts.slice(2)) {
		const chunk: number[] = [part & 0x7f];
		for (let v = Math.floor(part / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift((v & 0x7f) | 0x80);
		out.push(...chunk);
	}
	return tlv(0x06, Buffer.from(out));
}

function time(date: Date): Buffer {
	const iso = date.toISOString();
	const compact = iso.slice(2, 4) + iso.slice(5, 7) + iso.slice(8, 10) + iso.slice(11, 13) + iso.slice(14, 16) + iso.slice(17, 19) + 'Z';
	return tlv(0x17, Buffer.from(compact, 'ascii'));
}

function ipBytes(ip: string): Buffer {
	if (isIP(ip) === 4) return Buffer.from(ip.split('.').map(Number));
	const [head, tail] = ip.split('::');
	const groups = (s: string | undefined) => (s ? s.split(':') : []);
	const missing = 8 - groups(head).length - groups(tail).length;
	const all = [...groups(head), ...Array<string>(tail !== undefined ? missing : 0).fill('0'), ...groups(tail)];
	return Buffer.from(all.flatMap((g) => [parseInt(g, 16) >> 8, parseInt(g, 16) & 0xff]));
}

export interface SelfSignedCertificate {
	certPem: string;
	keyPem: string;
}

/** An ECDSA P-256 certificate for the given names, valid from yesterday for a year, usable as its own CA. */
export function selfSignedCertificate(commonName: string, altNames: string[]): SelfSignedCertificate {
	const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
	const spki = publicKey.export({ type: 'spki', format: 'der' });
	const algorithm = sequence(oid('1.2.840.10045.4.3.2'));
	const name = sequence(set(sequence(oid('2.5.4.3'), utf8(commonName))));
	const now = Date.now();
	const validity = sequence(time(new Date(now - 86_400_000)), time(new Date(now + 365 * 86_400_000)));
	const serial = randomBytes(16);
	serial[0] &= 0x7f;
	const sans = altNames.map((n) => (isIP(n) ? tlv(0x87, ipBytes(n)) : tlv(0x82, Buffer.from(n, 'ascii'))));
	const keyId = createHash('sha1').update(spki).digest();
	const extensions = explicit(
		3,
		sequence(
			sequence(oid('2.5.29.19'), boolTrue(), octets(sequence(boolTrue()))),
			// digitalSignature and keyCertSign
			sequence(oid('2.5.29.15'), boolTrue(), octets(bitString(Buffer.from([0x84]), 2))),
			sequence(oid('2.5.29.37'), octets(sequence(oid('1.3.6.1.5.5.7.3.1')))),
			sequence(oid('2.5.29.14'), octets(octets(keyId))),
			sequence(oid('2.5.29.17'), octets(sequence(...sans))),
		),
	);
	const tbs = sequence(explicit(0, integer(Buffer.from([2]))), integer(serial), algorithm, name, validity, name, spki, extensions);
	const signature = sign('sha256', tbs, privateKey);
	const der = sequence(tbs, algorithm, bitString(signature));
	const base64 = der.toString('base64').replace(/(.{64})/g, '$1\n').trim();
	return {
		certPem: `-----BEGIN CERTIFICATE-----\n${base64}\n-----END CERTIFICATE-----\n`,
		keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
	};
}
