import * as fs from 'node:fs';
import * as path from 'node:path';

/** Payloads and items, mutated and asserted field by field in the tests. */
export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Bodies a real Alertmanager posted (captured by test/integration/alertmanager-payload.test.ts). */
export type Fixture = 'firing' | 'mixed' | 'resolved';

export function fixture(name: Fixture): Json {
	return JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'fixtures', 'alertmanager', `${name}.json`), 'utf8'));
}

export function fixtureText(name: Fixture): string {
	return fs.readFileSync(path.join(__dirname, '..', '..', 'fixtures', 'alertmanager', `${name}.json`), 'utf8');
}
