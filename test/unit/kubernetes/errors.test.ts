import { errorFromResponse, errorFromTransport, type RequestSubject } from '../../../src/kubernetes/errors';

/** HTTP answers and transport failures in the words the node shows. */

const server = 'https://10.0.0.1:6443';
const scale: RequestSubject = { verb: 'patch', resource: 'deployments.apps', group: 'apps', namespace: 'shop', name: 'web', subresource: 'scale' };
const status = (code: number, reason: string, message: string) => JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message, reason, code });

test('404 NotFound names the object and its namespace; a path 404 says the kind is not served', () => {
	const missing = errorFromResponse(404, status(404, 'NotFound', 'deployments.apps "web" not found'), { ...scale, verb: 'get', subresource: undefined }, server);
	expect(missing).toMatchObject({ kind: 'notFound', message: 'deployments.apps "web" not found in namespace "shop"', details: { httpStatus: 404, reason: 'NotFound', serverMessage: 'deployments.apps "web" not found' } });
	const path = errorFromResponse(404, status(404, 'NotFound', 'the server could not find the requested resource'), { verb: 'get', resource: 'scaledobjects.keda.sh', group: 'keda.sh', namespace: 'shop', name: 'w' }, server);
	expect(path.message).toBe('The cluster does not serve scaledobjects.keda.sh (404 for scaledobjects.keda.sh "w" in namespace "shop")');
	expect(path.fix).toMatch(/KEDA, Gateway API, Argo Rollouts/);
	expect(errorFromResponse(404, status(404, 'NotFound', 'the server could not find the requested resource'), scale, server).fix).toMatch(/no scale subresource/);
});

test('403 names the verb, the resource (with subresource), the API group and the scope', () => {
	const error = errorFromResponse(403, status(403, 'Forbidden', 'deployments.apps "web" is forbidden: User "x" cannot patch resource "deployments/scale"'), scale, server);
	expect(error.message).toBe('Forbidden: cannot patch deployments/scale (API group "apps") "web" in namespace "shop"');
	expect(error.fix).toBe('Grant this identity the verb "patch" on "deployments/scale" in apiGroup "apps" in namespace "shop" (see deploy/rbac/kube-ops-role.yaml), or use a credential that has it.');
	expect(errorFromResponse(403, '', { verb: 'list', resource: 'namespaces', group: '' }, server).message).toBe('Forbidden: cannot list namespaces (API group "") at cluster scope');
});

test('409, 415, 422, 429, 5xx and a non-Kubernetes answer', () => {
	expect(errorFromResponse(409, status(409, 'Conflict', 'the object has been modified'), scale, server)).toMatchObject({ kind: 'conflict', details: { reason: 'Conflict' } });
	expect(errorFromResponse(409, status(409, 'AlreadyExists', 'events "x" already exists'), { verb: 'create', resource: 'events', group: '', namespace: 'shop', name: 'x' }, server).message).toBe('events "x" in namespace "shop" already exists');
	expect(errorFromResponse(415, status(415, 'UnsupportedMediaType', 'the body of the request was in an unknown format'), scale, server).kind).toBe('unsupported');
	expect(errorFromResponse(422, status(422, 'Invalid', 'Scale.autoscaling "web" is invalid: spec.replicas: Invalid value: -1'), scale, server).message).toBe(
		'The API server rejected the change to deployments.apps "web" (scale subresource) in namespace "shop": Scale.autoscaling "web" is invalid: spec.replicas: Invalid value: -1',
	);
	expect(errorFromResponse(429, '', scale, server).message).toMatch(/throttling/);
	expect(errorFromResponse(503, status(503, 'ServiceUnavailable', 'etcdserver: leader changed'), scale, server).message).toBe(
		'The API server failed on deployments.apps "web" (scale subresource) in namespace "shop" (HTTP 503 ServiceUnavailable): etcdserver: leader changed',
	);
	expect(errorFromResponse(502, '<html>Bad Gateway</html>', scale, server).details.serverMessage).toBe('<html>Bad Gateway</html>');
	expect(errorFromResponse(302, '', scale, server).fix).toMatch(/not a dashboard or proxy page/);
});

test('transport failures in words, never raw codes', () => {
	const get = { verb: 'get', resource: 'deployments.apps', group: 'apps', namespace: 'shop', name: 'web' };
	const refused = errorFromTransport(Object.assign(new Error('request to https://x failed, reason: connect ECONNREFUSED 10.0.0.1:6443'), { code: 'ECONNREFUSED', type: 'system' }), server, get, 30000);
	expect(refused.message).toBe(`Cannot reach the API server at ${server} (connection refused)`);
	expect(refused.message).not.toMatch(/ECONNREFUSED/);
	expect(errorFromTransport(Object.assign(new Error('getaddrinfo'), { cause: { code: 'ENOTFOUND' } }), server, get, 30000).message).toBe(`Cannot reach the API server at ${server} (host name not found)`);
	expect(errorFromTransport(Object.assign(new Error('The operation was aborted.'), { name: 'AbortError' }), server, get, 2500).message).toBe(`No answer from the API server at ${server} within 2.5s (get deployments.apps "web" in namespace "shop")`);
	expect(errorFromTransport(Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }), server, get, 1).message).toBe(`The API server's TLS certificate is not trusted (unknown certificate authority) at ${server}`);
	expect(errorFromTransport(Object.assign(new Error('Hostname/IP does not match'), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' }), server, get, 1).message).toMatch(/does not match the host name/);
	expect(errorFromTransport(new Error('socket hang up'), server, get, 1).message).toBe(`Cannot reach the API server at ${server} (connection closed by the server)`);
	expect(errorFromTransport(new Error('write EPROTO oops'), server, get, 1).message).toBe(`Request to the API server at ${server} failed: write eproto oops`);
});
