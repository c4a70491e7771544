/**
 * The one set of pre-scaling knobs, shared by the Forecast node, the replay
 * simulator, the tuner and `kube-ops forecast`, so a setting the tuner
 * recommends is read the same way by the node that carries it out.
 */
export interface PreScaleSettings {
	/** Demand one ready pod serves, in the unit of the series. */
	perPodCapacity: number;
	/** Spare capacity on top of the forecast quantile, a fraction (0.2 = 20 %). */
	headroom: number;
	/** Forecast quantile the floor provisions for. */
	quantile: number;
	/** Pod start-up: capacity ordered now serves from this much later. */
	podStartupSeconds: number;
	/** Looks this much further ahead than the pod start-up (slow-to-warm pods, scrape lag). */
	extraLeadSeconds: number;
	/** Time until the loop runs again: the floor must cover the peak until then. */
	runIntervalSeconds: number;
	minReplicas: number;
	/** null = no upper bound here (the Policy Gate applies its own). */
	maxReplicas: number | null;
	/**
	 * The floor covers whole forecast steps from the first that starts once the pods are ready, and leaves the
	 * step in progress to the HPA (see replicasFromForecast): cheaper with a schedule as short as the step.
	 */
	alignToStep: boolean;
}

/** The Forecast node's defaults (and the workflow's): p90 plus 20 %, 90 s start-up, a 15-minute schedule. */
export const PRESCALE_DEFAULTS: Omit<PreScaleSettings, 'perPodCapacity'> = {
	headroom: 0.2,
	quantile: 0.9,
	podStartupSeconds: 90,
	extraLeadSeconds: 0,
	runIntervalSeconds: 900,
	minReplicas: 1,
	maxReplicas: null,
	alignToStep: false,
};

export class PreScaleSettingsError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'PreScaleSettingsError';
	}
}

/** Fills the defaults and checks every knob; the message names each bad one and what it expects. */
export function resolvePreScaleSettings(given: Partial<PreScaleSettings> & { perPodCapacity: number }): PreScaleSettings {
	const settings: PreScaleSettings = { ...PRESCALE_DEFAULTS, ...withoutUndefined(given), perPodCapacity: given.perPodCapacity };
	const problems: string[] = [];
	const need = (ok: boolean, text: string) => ok || problems.push(text);
	need(Number.isFinite(settings.perPodCapacity) && settings.perPodCapacity > 0, `per-pod capacity must be a positive number, got ${settings.perPodCapacity}`);
	need(Number.isFinite(settings.headroom) && settings.headroom >= 0, `headroom must be a fraction of 0 or more (0.2 = 20 %), got ${settings.headroom}`);
	need(settings.quantile > 0 && settings.quantile < 1, `the replica quantile must lie strictly between 0 and 1, got ${settings.quantile}`);
	need(Number.isFinite(settings.podStartupSeconds) && settings.podStartupSeconds >= 0, `pod start-up must be 0 s or more, got ${settings.podStartupSeconds}`);
	need(Number.isFinite(settings.extraLeadSeconds) && settings.extraLeadSeconds >= 0, `the extra lead must be 0 s or more, got ${settings.extraLeadSeconds}`);
	need(Number.isFinite(settings.runIntervalSeconds) && settings.runIntervalSeconds > 0, `the run interval must be positive, got ${settings.runIntervalSeconds}`);
	need(Number.isInteger(settings.minReplicas) && settings.minReplicas >= 0, `min replicas must be a whole number of 0 or more, got ${settings.minReplicas}`);
	need(
		settings.maxReplicas === null || (Number.isInteger(settings.maxReplicas) && settings.maxReplicas >= settings.minReplicas),
		`max replicas must be a whole number at least min replicas (${settings.minReplicas}), got ${settings.maxReplicas}`,
	);
	need(typeof settings.alignToStep === 'boolean', `align to step must be true or false, got ${JSON.stringify(settings.alignToStep)}`);
	if (problems.length > 0) throw new PreScaleSettingsError(problems.join('; '));
	return settings;
}

/** Seconds from a decision to the start of the span its floor must cover. */
export function leadSeconds(settings: Pick<PreScaleSettings, 'podStartupSeconds' | 'extraLeadSeconds'>): number {
	return settings.podStartupSeconds + settings.extraLeadSeconds;
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
	return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
