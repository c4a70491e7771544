// The real n8n lives in test/sandbox so `npm run demo` (built into dist/) can start it too.
export * from '../sandbox/n8n';
