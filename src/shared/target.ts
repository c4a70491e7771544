/** The Kubernetes object a proposal, a verdict, a decision record or an LLM context names. */
export interface Target {
	cluster: string;
	namespace: string;
	kind: string;
	name: string;
	apiVersion?: string;
}
