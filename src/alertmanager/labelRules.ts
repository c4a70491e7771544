import type { Rejection, WebhookPayload } from './types';

/**
 * Alert label values are data from whoever can make Alertmanager (or the
 * webhook) send something. The workflows put some of them into PromQL label
 * values, Lease names, Kubernetes names and Alertmanager matchers; a rule per
 * label keeps each to the shape those places expect, checked before any
 * execution starts, so a hostile value is a 400 and never a workflow run.
 */

export type LabelFormat = 'dns1123Label' | 'dns1123Subdomain' | 'pattern' | 'any';

export interface LabelRule {
	label: string;
	format: LabelFormat;
	/** For format "pattern": a regular expression the whole value must match. */
	pattern?: string;
}

/** What the shipped workflows use: namespace, service and region become Kubernetes names and PromQL label values. */
export const DEFAULT_LABEL_RULES: readonly LabelRule[] = [
	{ label: 'namespace', format: 'dns1123Label' },
	{ label: 'service', format: 'dns1123Label' },
	{ label: 'region', format: 'dns1123Label' },
];

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

const FORMAT_WORDS: Record<Exclude<LabelFormat, 'any'>, string> = {
	dns1123Label: 'a Kubernetes DNS-1123 label (lowercase letters, digits and "-", starting and ending with a letter or digit, at most 63 characters)',
	dns1123Subdomain: 'a Kubernetes DNS-1123 subdomain (DNS-1123 labels joined by ".", at most 253 characters)',
	pattern: 'the pattern',
};

function matches(rule: LabelRule, value: string, compiled: RegExp | undefined): boolean {
	switch (rule.format) {
		case 'dns1123Label':
			return DNS1123_LABEL.test(value);
		case 'dns1123Subdomain':
			return value.length <= 253 && DNS1123_SUBDOMAIN.test(value);
		case 'pattern':
			return compiled !== undefined && value.length <= 1024 && compiled.test(value);
		default:
			return true;
	}
}

/** The compiled rules, or an error naming the rule that cannot be used (a workflow editor's mistake: the node fails, not the sender). */
export function compileLabelRules(rules: readonly LabelRule[]): Array<{ rule: LabelRule; compiled?: RegExp }> {
	return rules.map((rule) => {
		if (!rule.label) throw new Error('A label rule has no label name; name the label it checks, e.g. service');
		if (rule.format !== 'pattern') return { rule };
		try {
			return { rule, compiled: new RegExp(`^(?:${rule.pattern ?? ''})$`, 'u') };
		} catch (error) {
			throw new Error(`The label rule for "${rule.label}" has a pattern that is not a regular expression: ${(error as Error).message}`);
		}
	});
}

function shown(value: string): string {
	return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
}

/** The first label value (in alerts, then group and common labels) that breaks its rule, as a 400 reason naming the label. */
export function checkLabelRules(payload: WebhookPayload, rules: ReturnType<typeof compileLabelRules>): Rejection | undefined {
	const places: Array<[string, Record<string, string>]> = [
		...payload.alerts.map((alert, index): [string, Record<string, string>] => [`alerts[${index}].labels`, alert.labels]),
		['groupLabels', payload.groupLabels],
		['commonLabels', payload.commonLabels],
	];
	for (const [path, labels] of places) {
		for (const { rule, compiled } of rules) {
			if (!Object.prototype.hasOwnProperty.call(labels, rule.label)) continue;
			const value = labels[rule.label];
			if (matches(rule, value, compiled)) continue;
			const expected = rule.format === 'pattern' ? `the pattern ${JSON.stringify(rule.pattern)}` : FORMAT_WORDS[rule.format as Exclude<LabelFormat, 'any'>];
			return {
				path: `${path}.${rule.label}`,
				reason: `${path}.${rule.label}: label "${rule.label}" is ${shown(value)}, which is not ${expected}`,
				fix: `The workflows use the "${rule.label}" label as a Kubernetes name and a PromQL label value; fix the alerting rule's labels, or change the Alertmanager Trigger's Label Rules if this value is legitimate.`,
			};
		}
	}
	return undefined;
}
