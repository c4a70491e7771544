import { type Verdict, signVerdict, signingKey } from '../../src/policy';

/** The Kube-Ops Signing Key the tests' Policy Gate and mutating nodes share. */
export const TEST_SIGNING_SECRET = 'kube-ops-test-signing-key-0123456789abcdef';
export const TEST_KEY = signingKey(TEST_SIGNING_SECRET);
/** The credential data n8n hands the nodes. */
export const signingKeyCredential = { secret: TEST_SIGNING_SECRET };

/** A verdict as a Policy Gate with the test key issues it. */
export function signed<T>(verdict: T): T {
	return signVerdict(verdict as unknown as Verdict, TEST_KEY) as unknown as T;
}
