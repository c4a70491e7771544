import type { Candidate } from './candidates';
import type { FittedModel } from './models/model';

/**
 * Rolling-origin evaluation: each candidate is fitted on the history up to
 * an origin and scored on the horizon after it, never seeing those values.
 */

/**
 * Origins, oldest first. Consecutive windows overlap by at most half a
 * horizon (more windows for the same stretch of recent history make the
 * ranking less a matter of luck), and spread over at least a season so short
 * horizons still see different times of day.
 */
export function backtestOrigins(
	length: number,
	horizon: number,
	count: number,
	primarySeason: number,
	minTrainLength: number,
): number[] {
	const step = Math.max(Math.ceil(horizon / 2), Math.ceil(primarySeason / count));
	const origins: number[] = [];
	for (let k = 0; k < count; k++) {
		const origin = length - horizon - k * step;
		if (origin < minTrainLength) break;
		origins.unshift(origin);
	}
	return origins;
}

/**
 * The windows that cover the same hours as the forecast one and two long
 * cycles earlier (for a weekly season: the same weekday and time last week
 * and the week before). Recent windows alone never cross the weekday change a
 * Friday-evening forecast crosses, so a daily model that carries Friday into
 * Saturday would rank well there; these windows find it out. Ones without
 * enough training history before them are left out.
 */
export function cycleBackOrigins(length: number, horizon: number, cycle: number, minTrainLength: number): number[] {
	return [length - 2 * cycle, length - cycle].filter((origin) => origin >= minTrainLength && origin <= length - horizon);
}

export interface CandidateBacktest {
	candidate: Candidate;
	/** One forecast per origin, in the order of the origins. */
	forecasts: Float64Array[];
	/** The model as fitted at the oldest origin; its parameters saw nothing after that origin. */
	first: FittedModel;
	/** The model as fitted at the newest origin: the warm start for the fit on the whole history. */
	last: FittedModel;
}

/**
 * Whether to re-estimate parameters at every origin. When the origins span
 * less than a tenth of the history, parameters fitted at the oldest one would
 * barely move, so they are carried forward instead (as statsforecast's
 * cross-validation without refit): still out of sample, at a fraction of the
 * cost.
 */
export function shouldRefit(origins: readonly number[]): boolean {
	if (origins.length < 2) return false;
	return (origins[origins.length - 1] - origins[0]) / origins[0] > 0.1;
}

/** Candidates that cannot be fitted at every origin, or give non-finite values, are dropped. */
export function runBacktests(
	history: Float64Array,
	candidates: readonly Candidate[],
	origins: readonly number[],
	horizon: number,
	refit = shouldRefit(origins),
): CandidateBacktest[] {
	// One array per origin, shared by all candidates, lets models share decompositions and transforms.
	const histories = origins.map((origin) => history.subarray(0, origin));
	const out: CandidateBacktest[] = [];
	for (const candidate of candidates) {
		const forecasts: Float64Array[] = [];
		let first = null as FittedModel | null;
		let previous = null as FittedModel | null;
		for (const past of histories) {
			let model: FittedModel | null;
			if (!previous) model = candidate.model.fit(past, candidate.seasons);
			else if (!refit && first?.update) model = first.update(past, candidate.seasons);
			else if (previous.refit) model = previous.refit(past, candidate.seasons);
			else model = candidate.model.fit(past, candidate.seasons);
			first ??= model;
			previous = model;
			const forecast = model && finiteForecast(model, horizon);
			if (!forecast) break;
			forecasts.push(forecast);
		}
		if (first && previous && forecasts.length === origins.length) out.push({ candidate, forecasts, first, last: previous });
	}
	return out;
}

/** Fits the whole history; a model that can re-estimate from its fit at the newest origin starts there. */
export function fitAndPredict(
	candidate: Candidate,
	history: Float64Array,
	horizon: number,
	from?: FittedModel,
): Float64Array | null {
	const fitted = from?.refit ? from.refit(history, candidate.seasons) : candidate.model.fit(history, candidate.seasons);
	return fitted && finiteForecast(fitted, horizon);
}

function finiteForecast(model: FittedModel, horizon: number): Float64Array | null {
	const forecast = model.predict(horizon);
	for (let i = 0; i < forecast.length; i++) if (!Number.isFinite(forecast[i])) return null;
	return forecast;
}
