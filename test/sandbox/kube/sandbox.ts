import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { KubeApi } from './api';
import { Authenticator, type TokenOptions } from './auth';
import { ControllerManager } from './controllers/manager';
import { Discovery } from './discovery';
import { FaultInjector } from './faults';
import { writeKubeconfig } from './kubeconfig';
import { ResourceRegistry } from './registry';
import { seedDemo } from './seed';
import { renderKubeStateMetrics } from './stateMetrics';
import { createRequestHandler } from './server';
import { ObjectStore } from './store';
import type { JsonObject, KubeObject } from './types';
import { selfSignedCertificate } from './tls';
import { WatchHub } from './watch';

export interface KubeSandboxOptions {
	/** TCP port on 127.0.0.1; 0 (default) picks a free one. */
	port?: number;
	host?: string;
	/** Name used in the kubeconfig and /_sandbox/info (default `sandbox`). */
	clusterName?: string;
	/** How long a new pod takes to become Ready (default 1000 ms). */
	podStartupMs?: number;
	/** Seed the demo shop (default true). */
	seed?: boolean;
	tokens?: TokenOptions;
	/**
	 * Serve HTTPS with a fresh self-signed certificate (default true). kubectl
	 * never sends a bearer token over plain HTTP, so turn it off only for
	 * clients that do (curl, client-node).
	 */
	tls?: boolean;
	/** Receives request and controller log lines. */
	log?: (line: string) => void;
}

export interface KubeSandbox {
	url: string;
	port: number;
	clusterName: string;
	/** PEM of the server certificate, which is its own CA; undefined with tls: false. */
	caCert?: string;
	tokens: { admin: string; limited: string; limitedNamespaces: string[] };
	faults: FaultInjector;
	/** REST semantics in-process, with system privileges (no auth, no faults). */
	api: KubeApi;
	store: ObjectStore;
	/** Live settings; changing podStartupMs affects pods created afterwards. */
	config: { podStartupMs: number };
	/** A stored object by group-resource (`deployments.apps`, `configmaps`, `scaledobjects.keda.sh`). */
	get(resource: string, namespace: string | undefined, name: string): KubeObject | undefined;
	list(resource: string, namespace?: string): KubeObject[];
	/** Runs the controllers until nothing changes, pods starting at once. */
	settle(): void;
	close(): Promise<void>;
}

export async function startKubeSandbox(options: KubeSandboxOptions = {}): Promise<KubeSandbox> {
	const clusterName = options.clusterName ?? 'sandbox';
	const log = options.log;
	const store = new ObjectStore();
	const registry = new ResourceRegistry(() => store.list('customresourcedefinitions.apiextensions.k8s.io'));
	const api = new KubeApi(store, registry);
	const auth = new Authenticator(options.tokens);
	const faults = new FaultInjector();
	const watches = new WatchHub(store);
	const config = { podStartupMs: options.podStartupMs ?? 1000 };
	const controllers = new ControllerManager(api, config, (line) => log?.(`[${clusterName}] ${line}`));
	let address = '127.0.0.1:0';
	let url = '';
	const discovery = new Discovery(registry, () => address);

	if (options.seed !== false) {
		seedDemo(api);
		controllers.settle();
	} else {
		for (const name of ['default', 'kube-system']) api.create(api.def('namespaces'), undefined, { metadata: { name } });
	}

	const host = options.host ?? '127.0.0.1';
	const certificate = options.tls === false ? undefined : selfSignedCertificate(`kube-ops-sandbox-${clusterName}`, [host, '127.0.0.1', 'localhost'].filter((v, i, a) => a.indexOf(v) === i));
	const handler = createRequestHandler({
			api,
			discovery,
			auth,
			faults,
			watches,
			config,
			log,
			metrics: () => renderKubeStateMetrics(api),
			info: (): JsonObject => ({ clusterName, url, podStartupMs: config.podStartupMs, resourceVersion: String(store.revision), openWatches: watches.openCount, faults: faults.list().length }),
	});
	const server: http.Server = certificate ? https.createServer({ key: certificate.keyPem, cert: certificate.certPem }, handler) : http.createServer(handler);
	// kubectl keeps connections alive between requests; a short idle timeout keeps close() quick.
	server.keepAliveTimeout = 5000;
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(options.port ?? 0, host, () => {
			server.off('error', reject);
			resolve();
		});
	});
	const port: number = (server.address() as AddressInfo).port;
	address = `${host}:${port}`;
	url = `${certificate ? 'https' : 'http'}://${host}:${port}`;
	controllers.start();

	let closed: Promise<void> | undefined;
	return {
		url,
		port,
		clusterName,
		caCert: certificate?.certPem,
		tokens: { admin: auth.admin.token, limited: auth.limited.token, limitedNamespaces: auth.limited.namespaces ?? [] },
		faults,
		api,
		store,
		config,
		get: (resource, namespace, name) => api.find(api.def(resource), namespace, name),
		list: (resource, namespace) => api.list(api.def(resource), namespace).items,
		settle: () => controllers.settle(),
		close: () => {
			closed ??= new Promise<void>((resolve) => {
				controllers.stop();
				watches.closeAll();
				server.close(() => resolve());
				server.closeAllConnections();
			});
			return closed;
		},
	};
}

export interface KubeSandboxesOptions extends Omit<KubeSandboxOptions, 'clusterName' | 'port'> {
	clusters: string[];
	kubeconfigPath: string;
	/** First port; the next clusters take the following ones. 0 (default) picks free ports. */
	port?: number;
	/** Default namespace written into every context. */
	namespace?: string;
}

export interface KubeSandboxes {
	clusters: KubeSandbox[];
	byName: Record<string, KubeSandbox>;
	kubeconfigPath: string;
	close(): Promise<void>;
}

/** One API server per cluster (region) and one kubeconfig with a context for each; the first is current. */
export async function startKubeSandboxes(options: KubeSandboxesOptions): Promise<KubeSandboxes> {
	const names = options.clusters.map((c) => c.trim()).filter(Boolean);
	if (names.length === 0) throw new Error('startKubeSandboxes needs at least one cluster name');
	if (new Set(names).size !== names.length) throw new Error(`duplicate cluster names in ${names.join(',')}`);
	const clusters: KubeSandbox[] = [];
	try {
		for (const [i, name] of names.entries()) {
			clusters.push(await startKubeSandbox({ ...options, clusterName: name, port: options.port ? options.port + i : 0 }));
		}
	} catch (e) {
		await Promise.all(clusters.map((c) => c.close()));
		throw e;
	}
	const kubeconfigPath = writeKubeconfig(
		options.kubeconfigPath,
		clusters.map((c) => ({ name: c.clusterName, url: c.url, caCert: c.caCert, tokens: c.tokens, namespace: options.namespace })),
	);
	return {
		clusters,
		byName: Object.fromEntries(clusters.map((c) => [c.clusterName, c])),
		kubeconfigPath,
		close: async () => {
			await Promise.all(clusters.map((c) => c.close()));
		},
	};
}
