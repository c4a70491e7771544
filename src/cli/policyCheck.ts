import { type InputDocument, type Instant, type SigningKey, type Verdict, evaluateInputs, parseDocument, parsePolicy, signVerdict } from '../policy';

export interface PolicyCheckInput {
	policyText: string;
	proposalText: string;
	stateText?: string;
	now: Instant;
	/** Signs the verdict as the Policy Gate node with its Kube-Ops Signing Key does; without it the verdict is advisory. */
	signingKey?: SigningKey;
}

export interface PolicyCheckResult {
	verdict: Verdict;
	// What `kube-ops policy check --json` prints.
	json: string;
	// 0 when the policy is valid and a verdict about the proposal was reached
	// (whatever the decision, so CI can assert on it with jq); 2 when the policy
	// itself is invalid, so a broken policy file fails the team's pipeline.
	exitCode: 0 | 2;
}

export function runPolicyCheck({ policyText, proposalText, stateText, now, signingKey }: PolicyCheckInput): PolicyCheckResult {
	const policy = parsePolicy(policyText);
	const judged = evaluateInputs({
		policy,
		proposal: fromText(proposalText, 'proposal'),
		state: stateText === undefined || stateText.trim() === '' ? { ok: true, value: undefined } : fromText(stateText, 'state'),
		now,
	});
	const verdict = signVerdict(judged, signingKey);
	return { verdict, json: `${JSON.stringify(verdict, null, 2)}\n`, exitCode: policy.ok ? 0 : 2 };
}

function fromText(text: string, what: string): InputDocument {
	const parsed = parseDocument(text, what);
	return parsed.ok ? { ok: true, value: parsed.value } : { ok: false, message: parsed.message.replace(new RegExp(`^${what} `), '') };
}
