import * as fs from 'node:fs';
import * as path from 'node:path';

import puppeteer, { type Browser, type Page } from 'puppeteer-core';

import { N8N_OWNER, type RunningN8n } from './n8n';

/**
 * The n8n editor in a real browser (Debian's chromium driven by
 * puppeteer-core): what a person sees after importing the workflows. n8n
 * marks a node whose type is not installed with `node-not-installed` and a
 * question-mark icon; an installed one of ours shows its own SVG icon.
 */

export const CHROMIUM = process.env.KUBE_OPS_CHROMIUM ?? '/usr/bin/chromium';

export interface RenderedNode {
	name: string;
	type: string;
	notInstalled: boolean;
	/** Our nodes: whether their icon image loaded (a broken icon path shows as an empty box). */
	iconLoaded: boolean | null;
	/** The icon's URL, where the node shows an image. */
	icon: string | null;
}

export interface Editor {
	open(workflowId: string): Promise<RenderedNode[]>;
	screenshot(file: string): Promise<void>;
	close(): Promise<void>;
}

export async function openEditor(n8n: RunningN8n): Promise<Editor> {
	if (!fs.existsSync(CHROMIUM)) throw new Error(`No browser at ${CHROMIUM}: install Debian's chromium (scripts/system-packages.sh does) or set KUBE_OPS_CHROMIUM`);
	const browser: Browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
	try {
		const page: Page = await browser.newPage();
		await page.setViewport({ width: 1600, height: 1000 });
		await page.goto(`${n8n.url}/signin`, { waitUntil: 'networkidle2', timeout: 120_000 });
		await page.type('input[type=email]', N8N_OWNER.email);
		await page.type('input[type=password]', N8N_OWNER.password);
		await Promise.all([page.waitForNavigation({ waitUntil: 'networkidle2', timeout: 120_000 }).catch(() => undefined), page.keyboard.press('Enter')]);
		return {
			async open(workflowId) {
				// Not networkidle: the editor keeps polling (executions, a waiting run), so the network is never quiet.
				await page.goto(`${n8n.url}/workflow/${workflowId}`, { waitUntil: 'domcontentloaded', timeout: 120_000 });
				await page.waitForSelector('[data-test-id="canvas-node"]', { timeout: 120_000 });
				await dismissChecklist(page);
				// Icons load after the canvas: wait until every one of ours has (or give up after 60 s and report the missing ones).
				await page
					.waitForFunction(
						() =>
							Array.from((globalThis as unknown as { document: { querySelectorAll(selector: string): ArrayLike<unknown> } }).document.querySelectorAll('[data-test-id="canvas-node"][data-node-type^="n8n-nodes-kube-ops."] img')).every((image) => {
								const loaded = image as unknown as { complete: boolean; naturalWidth: number };
								return loaded.complete && loaded.naturalWidth > 0;
							}),
						{ timeout: 60_000, polling: 250 },
					)
					.catch(() => undefined);
				return page.$$eval('[data-test-id="canvas-node"]', (elements) =>
					elements.map((element) => {
						const type = element.getAttribute('data-node-type') ?? '';
						// Trigger nodes are drawn by another component than the others: any image in the node is its icon.
						const image = element.querySelector('img') as unknown as { complete: boolean; naturalWidth: number; src: string } | null;
						return {
							name: element.getAttribute('data-node-name') ?? '',
							type,
							notInstalled: element.querySelector('[data-test-id="node-not-installed"]') !== null,
							iconLoaded: type.startsWith('n8n-nodes-kube-ops.') ? image !== null && image.complete && image.naturalWidth > 0 : null,
							icon: image?.src ?? null,
						};
					}),
				);
			},
			async screenshot(file) {
				fs.mkdirSync(path.dirname(file), { recursive: true });
				// The canvas fits the view with a short animation, and the checklist popover may come late.
				await new Promise((resolve) => setTimeout(resolve, 1000));
				await dismissChecklist(page);
				await page.screenshot({ path: file as `${string}.png` });
			},
			close: () => browser.close(),
		};
	} catch (error) {
		await browser.close();
		throw error;
	}
}

// n8n shows a "Production Checklist" popover over the canvas's top-left corner on first visits; hide it for the
// pictures (hidden, not clicked: nothing in the editor is touched).
async function dismissChecklist(page: Page): Promise<void> {
	await page
		.evaluate(() => {
			type Box = { width: number; height: number };
			type Node = { textContent: string | null; children: ArrayLike<unknown>; parentElement: Node | null; style: { display: string }; getBoundingClientRect(): Box };
			const all = Array.from((globalThis as unknown as { document: { querySelectorAll(selector: string): ArrayLike<Node> } }).document.querySelectorAll('*'));
			// The deepest element whose text is the title (the title may hold an icon, so not only leaves).
			const heading = all.filter((node) => node.textContent?.trim() === 'Production Checklist').pop();
			// The largest ancestor still the popover's size (at most 600 x 600) is the popover.
			let popover: Node | null = null;
			for (let box = heading?.parentElement ?? null; box; box = box.parentElement) {
				const { width, height } = box.getBoundingClientRect();
				if (width > 600 || height > 600) break;
				popover = box;
			}
			if (popover) popover.style.display = 'none';
		})
		.catch(() => undefined);
}
