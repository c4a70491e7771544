export { startCloudflareSandbox, type CloudflareSandbox, type CloudflareSandboxOptions, type LoadBalancer, type Origin, type Pool, type RecordedRequest } from './server';
