import * as fs from 'node:fs';
import * as path from 'node:path';

import type { INodeProperties, INodeType } from 'n8n-workflow';

import { AlertmanagerAlertCheck } from '../../nodes/AlertmanagerAlertCheck/AlertmanagerAlertCheck.node';
import { AlertmanagerTrigger } from '../../nodes/AlertmanagerTrigger/AlertmanagerTrigger.node';
import { ApprovedProposals } from '../../nodes/ApprovedProposals/ApprovedProposals.node';
import { Forecast } from '../../nodes/Forecast/Forecast.node';
import { KubernetesPatch } from '../../nodes/KubernetesPatch/KubernetesPatch.node';
import { LlmAdvisor } from '../../nodes/LlmAdvisor/LlmAdvisor.node';
import { LoadBalancerDrain } from '../../nodes/LoadBalancerDrain/LoadBalancerDrain.node';
import { PolicyGate } from '../../nodes/PolicyGate/PolicyGate.node';
import { PrometheusQuery } from '../../nodes/PrometheusQuery/PrometheusQuery.node';
import { WorkloadList } from '../../nodes/WorkloadList/WorkloadList.node';
import { parsePolicy } from '../../src/policy';
import type { WorkflowFile } from '../sandbox/loops/workflows';

/**
 * The shipped workflow files, checked against the nodes they use: a renamed
 * parameter or option value would otherwise surface only in a user's n8n
 * (or in the slow end-to-end run) as a node silently using its default.
 */

const DIR = path.resolve(__dirname, '..', '..', 'workflows');
const files = fs.readdirSync(DIR).filter((f) => f.endsWith('.json'));

const ours: Record<string, INodeType> = Object.fromEntries(
	[new AlertmanagerAlertCheck(), new AlertmanagerTrigger(), new Forecast(), new KubernetesPatch(), new LlmAdvisor(), new LoadBalancerDrain(), new PolicyGate(), new PrometheusQuery(), new WorkloadList(), new ApprovedProposals()].map((node) => [
		`n8n-nodes-kube-ops.${node.description.name}`,
		node,
	]),
);

const load = (file: string) => JSON.parse(fs.readFileSync(path.join(DIR, file), 'utf8')) as WorkflowFile;

/** The properties shown for these parameter values (n8n's displayOptions.show, the subset our nodes use). */
function visible(properties: INodeProperties[], parameters: Record<string, unknown>): INodeProperties[] {
	return properties.filter((p) => {
		const show = p.displayOptions?.show;
		if (!show) return true;
		return Object.entries(show).every(([key, allowed]) => {
			const property = properties.find((q) => q.name === key && q.default !== undefined);
			const value = key in parameters ? parameters[key] : property?.default;
			return (allowed as unknown[]).includes(value);
		});
	});
}

test('the three loops ship', () => {
	expect(files.sort()).toEqual(['alertmanager-failover.json', 'canary-rollback.json', 'predictive-prescaling.json']);
});

describe.each(files)('%s', (file) => {
	const workflow = load(file);

	test('has an id n8n accepts on import, unique node ids and names, and connections between existing nodes', () => {
		expect(workflow.id).toMatch(/^[A-Za-z0-9]{16}$/);
		const names = workflow.nodes.map((n) => n.name);
		expect(new Set(names).size).toBe(names.length);
		expect(new Set(workflow.nodes.map((n) => n.id)).size).toBe(names.length);
		for (const [from, { main }] of Object.entries(workflow.connections)) {
			expect(names).toContain(from);
			for (const output of main) for (const target of output) expect(names).toContain(target.node);
		}
	});

	test('every node except triggers and notes has an input', () => {
		const targets = new Set(Object.values(workflow.connections).flatMap((c) => c.main.flat().map((t) => t.node)));
		const unconnected = workflow.nodes.filter((n) => !/Trigger$|trigger$|stickyNote$/.test(n.type) && !targets.has(n.name) && n.type !== 'n8n-nodes-kube-ops.alertmanagerTrigger');
		expect(unconnected.map((n) => n.name)).toEqual([]);
	});

	test('explains itself with sticky notes', () => {
		const notes = workflow.nodes.filter((n) => n.type === 'n8n-nodes-base.stickyNote');
		expect(notes.length).toBeGreaterThanOrEqual(3);
		for (const note of notes) expect(String(note.parameters.content).length).toBeGreaterThan(80);
	});

	test('uses only parameters and option values our nodes have, and credentials of the types they take', () => {
		for (const node of workflow.nodes.filter((n) => n.type.startsWith('n8n-nodes-kube-ops.'))) {
			const type = ours[node.type];
			expect({ node: node.name, known: type !== undefined }).toEqual({ node: node.name, known: true });
			expect(node.typeVersion).toBe(type.description.version);
			const shown = visible(type.description.properties, node.parameters);
			for (const [key, value] of Object.entries(node.parameters)) {
				const property = shown.find((p) => p.name === key);
				expect({ node: node.name, parameter: key, shown: property !== undefined }).toEqual({ node: node.name, parameter: key, shown: true });
				if (property?.type === 'options' && !(typeof value === 'string' && value.startsWith('='))) {
					expect({ node: node.name, parameter: key, value, allowed: property.options?.some((o) => 'value' in o && o.value === value) }).toMatchObject({ allowed: true });
				}
				if (property?.type === 'collection' && value && typeof value === 'object') {
					for (const option of Object.keys(value)) expect({ node: node.name, option, known: property.options?.some((o) => o.name === option) }).toMatchObject({ known: true });
				}
			}
			for (const credentialType of Object.keys(node.credentials ?? {})) {
				expect(type.description.credentials?.map((c) => c.name)).toContain(credentialType);
			}
			if (type.description.webhooks) expect(node.webhookId).toMatch(/^[0-9a-f-]{36}$/);
		}
	});

	test('its Policy Gate policies are valid', () => {
		for (const node of workflow.nodes.filter((n) => n.type === 'n8n-nodes-kube-ops.policyGate')) {
			// A second gate (the approved branch) takes the first gate's policy, so the two cannot drift.
			const shared = /^=\{\{ \$\('([^']+)'\)\.params\.policy \}\}$/.exec(String(node.parameters.policy));
			const source = shared ? workflow.nodes.find((n) => n.name === shared[1]) : node;
			expect({ node: node.name, policyFrom: source?.type }).toEqual({ node: node.name, policyFrom: 'n8n-nodes-kube-ops.policyGate' });
			const parsed = parsePolicy(String(source?.parameters.policy));
			expect({ node: node.name, issues: parsed.ok ? [] : parsed.issues }).toEqual({ node: node.name, issues: [] });
		}
	});

	test('every branch that acts on a cluster or a load balancer ends in a decision record', () => {
		const next = (name: string) => (workflow.connections[name]?.main ?? []).flat().map((t) => t.node);
		const byName = new Map(workflow.nodes.map((n) => [n.name, n]));
		const mutating = workflow.nodes.filter(
			(n) => (n.type === 'n8n-nodes-kube-ops.kubernetesPatch' && !['lock', 'read', 'recordDecision'].includes(String(n.parameters.operation))) || (n.type === 'n8n-nodes-kube-ops.loadBalancerDrain' && n.parameters.operation !== 'status'),
		);
		expect(mutating.length).toBeGreaterThan(0);
		for (const node of mutating) {
			// Walk forward over every output (including the error output) until a record node.
			const seen = new Set<string>();
			const ends: string[] = [];
			const walk = (name: string) => {
				if (seen.has(name)) return;
				seen.add(name);
				const targets = next(name);
				if (targets.length === 0) ends.push(name);
				for (const target of targets) {
					if (byName.get(target)?.parameters.operation === 'recordDecision') continue;
					walk(target);
				}
			};
			walk(node.name);
			expect({ node: node.name, unrecordedEnds: ends }).toEqual({ node: node.name, unrecordedEnds: [] });
		}
	});
});

test('alert content stays data: no PromQL built from strings, no request to a URL from the webhook body', () => {
	for (const file of files) {
		for (const node of load(file).nodes) {
			if (node.type === 'n8n-nodes-kube-ops.prometheusQuery') {
				const query = String(node.parameters.query);
				// A whole query from the editor's own settings is fine; pieces of it from items are not.
				expect({ file, node: node.name, concatenated: /\{\{/.test(query) && !/^=\{\{\s*\$json\.\w+\s*\}\}$/.test(query) }).toEqual({ file, node: node.name, concatenated: false });
			}
			expect({ file, node: node.name, externalURL: JSON.stringify(node.parameters).includes('externalURL') }).toEqual({ file, node: node.name, externalURL: false });
		}
	}
});

/**
 * What a person sees on the canvas: a sticky note lying over a node hides it
 * (and its label, drawn under the node). n8n draws a node 100 x 100 at its
 * position with the label below it; a note at its position with its width
 * and height (n8n's defaults 240 x 160).
 */
test.each(files)('%s: no sticky note covers a node or another note', (file) => {
	type Box = { name: string; x: number; y: number; w: number; h: number };
	const overlap = (a: Box, b: Box) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
	const nodes = load(file).nodes;
	const isNote = (node: (typeof nodes)[number]) => node.type === 'n8n-nodes-base.stickyNote';
	const box = (node: (typeof nodes)[number]): Box => {
		const [x, y] = node.position;
		if (!isNote(node)) return { name: node.name, x, y, w: 100, h: 140 };
		const { width = 240, height = 160 } = node.parameters as { width?: number; height?: number };
		return { name: node.name, x, y, w: width, h: height };
	};
	const notes = nodes.filter(isNote).map(box);
	const others = nodes.filter((node) => !isNote(node)).map(box);
	const covered = notes.flatMap((note) => [...others, ...notes.filter((other) => other !== note)].filter((other) => overlap(note, other)).map((other) => `${note.name} covers ${other.name}`));
	expect(notes.length).toBeGreaterThan(0);
	expect(covered).toEqual([]);
});

// An approval link that dies (the Wait's limit) before the verdict's approval deadline leaves a window where nobody
// can approve and the alert's repeats ask nobody (they find the move already waiting).
test.each(['alertmanager-failover.json', 'predictive-prescaling.json'])('%s: Wait for approval lasts at least as long as the approval deadline', (file) => {
	const nodes = load(file).nodes;
	const wait = nodes.find((node) => node.name === 'Wait for approval')?.parameters as { limitWaitTime?: boolean; resumeAmount: number; resumeUnit: string };
	const unit = ({ seconds: 1, minutes: 60, hours: 3600, days: 86_400 } as Record<string, number>)[wait.resumeUnit];
	const waitSeconds = wait.limitWaitTime ? wait.resumeAmount * unit : Infinity;
	const gate = nodes.find((node) => node.name === 'Policy Gate')?.parameters as { policy: string };
	const policy = parsePolicy(gate.policy);
	if (!policy.ok) throw new Error(`${file}: the Policy Gate's policy does not parse`);
	expect(policy.policy.approvalTimeoutSeconds).toBeLessThanOrEqual(waitSeconds);
});

// The people who edit these flows on the canvas are ops staff: settings are form fields, the logic lives in the
// engine behind node parameters (unit-tested there), so no shipped workflow runs JavaScript of its own.
test.each(files)('%s: holds settings, not programs (no Code or Function node)', (file) => {
	const programs = load(file).nodes.filter((node) => /\.(code|function|functionItem)$/.test(node.type)).map((node) => node.name);
	expect(programs).toEqual([]);
});
