/**
 * PromQL against the ops stack, as the shipped workflows write it, checked
 * by test/integration/stack.test.ts. Region, service and track are scrape
 * target labels; namespace and deployment come from kube-state-metrics.
 */
export const STACK_QUERIES = {
	/** Ready pods over desired pods of checkout, per region (1 = fully ready). */
	readyFraction:
		'sum by (region) (kube_deployment_status_replicas_ready{namespace="shop",deployment="checkout"}) / sum by (region) (kube_deployment_spec_replicas{namespace="shop",deployment="checkout"})',
	/** Fraction of checkout's stable requests answering 5xx, per region, over the last minute. */
	regionErrorRate:
		'sum by (region) (rate(http_requests_total{service="checkout",track="stable",code=~"5.."}[1m])) / sum by (region) (rate(http_requests_total{service="checkout",track="stable"}[1m]))',
	/** Canary against stable in the canary's region, over 5 minutes: 5xx fraction, p99 latency in ms, requests. */
	trackErrorRate:
		'sum by (track) (rate(http_requests_total{service="checkout",region="us-east",code=~"5.."}[5m])) / sum by (track) (rate(http_requests_total{service="checkout",region="us-east"}[5m]))',
	trackP99Ms: '1000 * histogram_quantile(0.99, sum by (track, le) (rate(http_request_duration_seconds_bucket{service="checkout",region="us-east"}[5m])))',
	trackRequests: 'sum by (track) (increase(http_requests_total{service="checkout",region="us-east"}[5m]))',
};
