import type { ICredentialTestFunctions, ICredentialsDecrypted, IExecuteFunctions, INodeCredentialTestResult } from 'n8n-workflow';

import { type SigningKey, type SigningKeyFields, SigningKeyError, keysFromCredential } from '../../src/policy';

export const SIGNING_KEY_CREDENTIAL = 'kubeOpsSigningKey';

export interface NodeKeys {
	signing: SigningKey;
	verify: SigningKey[];
}

/** The node's Kube-Ops Signing Key, or undefined when none is selected; a selected but unusable key is an error. */
export async function signingKeysOf(fn: IExecuteFunctions): Promise<NodeKeys | undefined> {
	if (!fn.getNode().credentials?.[SIGNING_KEY_CREDENTIAL]) return undefined;
	const fields = (await fn.getCredentials(SIGNING_KEY_CREDENTIAL)) as SigningKeyFields;
	return keysFromCredential(fields);
}

/** Nothing remote to reach: the test says whether the key is usable, and names its id (never the key). */
export async function signingKeyTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
	try {
		const { signing, verify } = keysFromCredential((credential.data ?? {}) as SigningKeyFields);
		return { status: 'OK', message: `Key id ${signing.id}${verify.length > 1 ? ` (also verifies key ${verify[1].id})` : ''}` };
	} catch (error) {
		return { status: 'Error', message: error instanceof SigningKeyError ? error.message : 'The signing key could not be read' };
	}
}
