import { KubeClient } from './client';
import { type KubernetesCredentialFields, connectionFromCredential } from './config';

/**
 * The Kubernetes credential test, shared by every node that takes the
 * credential: GET /version through client-node, so TLS, tokens and exec
 * plugins are exercised exactly as the operations will use them.
 */
export async function checkKubernetesConnection(fields: KubernetesCredentialFields): Promise<{ ok: boolean; message: string }> {
	try {
		const connection = connectionFromCredential(fields);
		const version = await new KubeClient(connection).version();
		const cluster = connection.clusterName ? `, cluster "${connection.clusterName}"` : '';
		return { ok: true, message: `Connected to ${connection.server}: Kubernetes ${version.gitVersion ?? 'version unknown'}${cluster}` };
	} catch (error) {
		const fix = (error as { fix?: string }).fix;
		return { ok: false, message: `${(error as Error).message}${fix ? `. ${fix}` : ''}` };
	}
}
