/**
 * Checks the end-to-end test makes on the live page: the published state,
 * a click's input-to-paint time (measured in the page by `measureClicks`),
 * whether an element is inside the viewport, the chart's drawn points, and
 * an axe-core accessibility scan.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import type { DemoState } from '../src/test-hook';

export const state = (page: Page) => page.evaluate(() => window.__tunekit) as Promise<DemoState>;

/** Clicks `selector` and returns the page's own measurement of that click, in ms. */
export async function clickToPaintMs(page: Page, selector: string): Promise<number> {
  const before = (await state(page)).clicks.length;
  await page.click(selector);
  await page.waitForFunction((n) => window.__tunekit.clicks.length > n, before, { timeout: 30_000, polling: 50 });
  return (await state(page)).clicks[before]!.ms;
}

/**
 * Whether the element is visible, wholly inside the viewport, and not
 * covered (by the fixed run bar, say): what is drawn at its centre is the
 * element or inside it. No scrolling is needed to read it.
 */
export function inViewport(page: Page, selector: string): Promise<boolean> {
  return page.$eval(selector, (element) => {
    const box = element.getBoundingClientRect();
    const visible = !(element as HTMLElement).hidden && box.width > 0 && box.height > 0;
    const inside = box.top >= 0 && box.left >= 0 && box.bottom <= window.innerHeight && box.right <= window.innerWidth;
    const top = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
    return visible && inside && top !== null && element.contains(top);
  });
}

/** Points of the chart's batch-loss line (the first polyline of the SVG). */
export function chartPoints(page: Page): Promise<number> {
  return page.$eval('#chart', (chart) => chart.querySelector('polyline')?.getAttribute('points')?.trim().split(/\s+/).length ?? 0);
}

/** axe-core's serious and critical violations, one line each. */
export async function seriousViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}
