export { startRoute53Sandbox, type Route53Sandbox, type Route53SandboxOptions, type RecordSet, type HostedZone, type HealthCheck, type Route53Request } from './server';
