import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { requireBinary, runOrThrow } from '../sandbox/processes';

export interface TestPki {
	caCert: string;
	serverCert: string;
	serverKey: string;
	dir: string;
}

/** A private CA and a server certificate for 127.0.0.1, made with the real openssl for each run. */
export function makeTestPki(): TestPki {
	const openssl = requireBinary('openssl', 'openssl');
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-ops-pki-'));
	const file = (name: string) => path.join(dir, name);
	const run = (args: string[]) => runOrThrow(openssl, args, 'openssl');
	run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=kube-ops test CA', '-keyout', file('ca.key'), '-out', file('ca.crt')]);
	run(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', file('server.key'), '-out', file('server.csr')]);
	fs.writeFileSync(file('san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
	run(['x509', '-req', '-in', file('server.csr'), '-CA', file('ca.crt'), '-CAkey', file('ca.key'), '-CAcreateserial', '-days', '2', '-extfile', file('san.ext'), '-out', file('server.crt')]);
	return {
		caCert: fs.readFileSync(file('ca.crt'), 'utf8'),
		serverCert: fs.readFileSync(file('server.crt'), 'utf8'),
		serverKey: fs.readFileSync(file('server.key'), 'utf8'),
		dir,
	};
}
