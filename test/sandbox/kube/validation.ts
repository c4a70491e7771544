import { asArray, asNumber, asObject, getPath, isObject, semanticEqual } from './json';
import { labelSelectorMatcher } from './selectors';
import { causes, type FieldCause } from './status';
import type { KubeObject } from './types';

const dns1123Subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const dns1123Label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const qualifiedName = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const configMapKey = /^[-._a-zA-Z0-9]+$/;

/** Kinds whose names must be DNS-1123 labels rather than subdomains. */
const labelNamed = new Set(['namespaces', 'services']);

function validateName(resource: string, name: string | undefined, generateName: string | undefined): FieldCause[] {
	if (!name) {
		return generateName ? [] : [causes.required('metadata.name', 'name or generateName is required')];
	}
	if (labelNamed.has(resource)) {
		if (name.length > 63 || !dns1123Label.test(name)) {
			return [
				causes.invalid(
					'metadata.name',
					name,
					"a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
				),
			];
		}
		return [];
	}
	if (name.length > 253 || !dns1123Subdomain.test(name)) {
		return [
			causes.invalid(
				'metadata.name',
				name,
				"a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
			),
		];
	}
	return [];
}

function validateLabels(labels: unknown, field: string): FieldCause[] {
	const out: FieldCause[] = [];
	for (const [key, value] of Object.entries(asObject(labels))) {
		const part = key.includes('/') ? key.slice(key.indexOf('/') + 1) : key;
		if (part.length > 63 || !qualifiedName.test(part)) {
			out.push(causes.invalid(field, key, "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"));
		}
		if (typeof value !== 'string' || value.length > 63 || !labelValue.test(value)) {
			out.push(
				causes.invalid(
					field,
					value,
					"a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
				),
			);
		}
	}
	return out;
}

function nonNegative(obj: unknown, path: string, out: FieldCause[]): void {
	const value = getPath(obj, path);
	if (value === undefined || value === null) return;
	if (typeof value !== 'number' || !Number.isInteger(value)) out.push(causes.invalid(path, value, 'must be an integer'));
	else if (value < 0) out.push(causes.invalid(path, value, 'must be greater than or equal to 0'));
}

function validatePodSpec(spec: unknown, prefix: string, out: FieldCause[]): void {
	const containers = asArray(asObject(spec).containers);
	if (containers.length === 0) {
		out.push(causes.required(`${prefix}.containers`));
		return;
	}
	const seen = new Set<string>();
	containers.forEach((raw, i) => {
		const c = asObject(raw);
		const name = c.name;
		if (typeof name !== 'string' || !name) out.push(causes.required(`${prefix}.containers[${i}].name`));
		else if (!dns1123Label.test(name)) out.push(causes.invalid(`${prefix}.containers[${i}].name`, name, "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character"));
		else if (seen.has(name)) out.push({ reason: 'FieldValueDuplicate', field: `${prefix}.containers[${i}].name`, message: `Duplicate value: ${JSON.stringify(name)}` });
		else seen.add(name);
		if (typeof c.image !== 'string' || !c.image.trim()) out.push(causes.required(`${prefix}.containers[${i}].image`));
		asArray(c.ports).forEach((p, j) => {
			const port = asNumber(asObject(p).containerPort);
			if (port === undefined || port < 1 || port > 65535) {
				out.push(causes.invalid(`${prefix}.containers[${i}].ports[${j}].containerPort`, asObject(p).containerPort ?? 0, 'must be between 1 and 65535, inclusive'));
			}
		});
	});
}

function validateWorkload(obj: KubeObject, old: KubeObject | undefined, out: FieldCause[]): void {
	nonNegative(obj, 'spec.replicas', out);
	nonNegative(obj, 'spec.revisionHistoryLimit', out);
	nonNegative(obj, 'spec.minReadySeconds', out);
	const selector = getPath(obj, 'spec.selector');
	if (!isObject(selector) || (Object.keys(asObject(selector.matchLabels)).length === 0 && asArray(selector.matchExpressions).length === 0)) {
		out.push(causes.required('spec.selector'));
	} else {
		const labels = asObject(getPath(obj, 'spec.template.metadata.labels')) as Record<string, string>;
		if (!labelSelectorMatcher(selector)(labels)) {
			out.push(causes.invalid('spec.template.metadata.labels', labels, '`selector` does not match template `labels`'));
		}
		if (old && !semanticEqual(getPath(old, 'spec.selector'), selector)) {
			out.push(causes.invalid('spec.selector', selector, 'field is immutable'));
		}
	}
	validatePodSpec(getPath(obj, 'spec.template.spec'), 'spec.template.spec', out);
	const strategy = asObject(getPath(obj, 'spec.strategy'));
	if (strategy.type !== undefined && strategy.type !== 'RollingUpdate' && strategy.type !== 'Recreate') {
		out.push(causes.notSupported('spec.strategy.type', strategy.type, ['Recreate', 'RollingUpdate']));
	}
	if (strategy.type === 'Recreate' && strategy.rollingUpdate !== undefined) {
		out.push(causes.forbidden('spec.strategy.rollingUpdate', 'may not be specified when strategy `type` is \'Recreate\''));
	}
}

function validateHpa(obj: KubeObject, out: FieldCause[]): void {
	const min = getPath(obj, 'spec.minReplicas');
	const max = getPath(obj, 'spec.maxReplicas');
	if (min !== undefined && (typeof min !== 'number' || min < 1)) out.push(causes.invalid('spec.minReplicas', min, 'must be greater than or equal to 1'));
	if (typeof max !== 'number') out.push(causes.required('spec.maxReplicas'));
	else if (max < 1) out.push(causes.invalid('spec.maxReplicas', max, 'must be greater than 0'));
	else if (typeof min === 'number' && max < min) out.push(causes.invalid('spec.maxReplicas', max, 'must be greater than or equal to `minReplicas`'));
	if (!getPath(obj, 'spec.scaleTargetRef.kind')) out.push(causes.required('spec.scaleTargetRef.kind'));
	if (!getPath(obj, 'spec.scaleTargetRef.name')) out.push(causes.required('spec.scaleTargetRef.name'));
}

function validateIngress(obj: KubeObject, out: FieldCause[]): void {
	asArray(getPath(obj, 'spec.rules')).forEach((rule, i) => {
		asArray(asObject(asObject(rule).http).paths).forEach((raw, j) => {
			const p = asObject(raw);
			const field = `spec.rules[${i}].http.paths[${j}]`;
			if (p.pathType === undefined) out.push(causes.required(`${field}.pathType`, 'pathType must be specified'));
			else if (!['Exact', 'Prefix', 'ImplementationSpecific'].includes(String(p.pathType))) {
				out.push(causes.notSupported(`${field}.pathType`, p.pathType, ['Exact', 'ImplementationSpecific', 'Prefix']));
			}
			const backend = asObject(p.backend);
			if (!backend.service && !backend.resource) out.push(causes.invalid(`${field}.backend`, backend, 'must specify a service or resource'));
			if (backend.service && !asObject(backend.service).name) out.push(causes.required(`${field}.backend.service.name`));
		});
	});
}

function validateLease(obj: KubeObject, out: FieldCause[]): void {
	const duration = getPath(obj, 'spec.leaseDurationSeconds');
	if (duration !== undefined && duration !== null && (typeof duration !== 'number' || duration <= 0)) {
		out.push(causes.invalid('spec.leaseDurationSeconds', duration, 'must be greater than 0'));
	}
	nonNegative(obj, 'spec.leaseTransitions', out);
}

function validateEvent(obj: KubeObject, out: FieldCause[]): void {
	const involved = asObject(obj.involvedObject);
	if (involved.namespace !== undefined && involved.namespace !== '' && involved.namespace !== obj.metadata.namespace) {
		out.push(causes.invalid('involvedObject.namespace', involved.namespace, 'does not match event.namespace'));
	}
}

function validateCrd(obj: KubeObject, out: FieldCause[]): void {
	const group = getPath(obj, 'spec.group');
	const plural = getPath(obj, 'spec.names.plural');
	if (!group) out.push(causes.required('spec.group'));
	if (!plural) out.push(causes.required('spec.names.plural'));
	if (!getPath(obj, 'spec.names.kind')) out.push(causes.required('spec.names.kind'));
	if (group && plural && obj.metadata.name !== `${String(plural)}.${String(group)}`) {
		out.push(causes.invalid('metadata.name', obj.metadata.name, 'must be spec.names.plural+"."+spec.group'));
	}
	const versions = asArray(getPath(obj, 'spec.versions'));
	if (versions.length === 0) out.push(causes.required('spec.versions', 'must have exactly one version marked as storage version'));
	else if (versions.filter((v) => asObject(v).storage === true).length !== 1) {
		out.push(causes.invalid('spec.versions', versions.length, 'must have exactly one version marked as storage version'));
	}
	if (!['Namespaced', 'Cluster'].includes(String(getPath(obj, 'spec.scope')))) {
		out.push(causes.notSupported('spec.scope', getPath(obj, 'spec.scope') ?? '', ['Cluster', 'Namespaced']));
	}
}

/** Validation of the fields the sandbox understands; returns the causes a 422 Invalid reports. */
export function validateObject(resource: string, obj: KubeObject, old?: KubeObject): FieldCause[] {
	const out: FieldCause[] = [];
	out.push(...validateName(resource, obj.metadata.name, obj.metadata.generateName));
	out.push(...validateLabels(obj.metadata.labels, 'metadata.labels'));
	switch (resource) {
		case 'deployments.apps':
		case 'replicasets.apps':
			validateWorkload(obj, old, out);
			break;
		case 'pods':
			validatePodSpec(obj.spec, 'spec', out);
			break;
		case 'horizontalpodautoscalers.autoscaling':
			validateHpa(obj, out);
			break;
		case 'ingresses.networking.k8s.io':
			validateIngress(obj, out);
			break;
		case 'leases.coordination.k8s.io':
			validateLease(obj, out);
			break;
		case 'events':
			validateEvent(obj, out);
			break;
		case 'configmaps':
			for (const key of [...Object.keys(asObject(obj.data)), ...Object.keys(asObject(obj.binaryData))]) {
				if (!configMapKey.test(key)) out.push(causes.invalid('data', key, "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"));
			}
			break;
		case 'customresourcedefinitions.apiextensions.k8s.io':
			validateCrd(obj, out);
			break;
	}
	return out;
}

/** The scale subresource only knows one rule. */
export function validateScaleReplicas(replicas: unknown): FieldCause[] {
	if (typeof replicas !== 'number' || !Number.isInteger(replicas)) return [causes.invalid('spec.replicas', replicas ?? null, 'must be an integer')];
	return replicas < 0 ? [causes.invalid('spec.replicas', replicas, 'must be greater than or equal to 0')] : [];
}
