// The checks a browser test runs on each page it visits: axe-core's WCAG 2.1 A and AA rules, and
// the page at a phone's width (390 px) with nothing wider than the screen.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
export const PHONE_WIDTH = 390;

/**
 * Runs axe-core in the page as it is now (evaluated through the DevTools protocol, which the
 * page's Content-Security-Policy does not govern) and fails on any violation, listing each rule
 * with the elements it found.
 */
export async function assertAccessible(page, label = page.url()) {
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const result = await globalThis.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
  assert.deepEqual(violations, [], `${label} has no WCAG 2.1 A/AA violation`);
}

/** Shows the page 390 px wide, checks that nothing scrolls sideways and that axe finds nothing, then restores the size. */
export async function assertFitsPhone(page, label = page.url()) {
  const before = page.viewportSize();
  await page.setViewportSize({ width: PHONE_WIDTH, height: 844 });
  try {
    const { width, wider } = await page.evaluate((limit) => ({
      width: document.documentElement.scrollWidth,
      // The innermost elements that stick out, to say what to fix.
      wider: [...document.querySelectorAll('body *')]
        .filter((e) => e.getBoundingClientRect().right > limit && ![...e.children].some((c) => c.getBoundingClientRect().right > limit))
        .slice(0, 5).map((e) => `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}.${[...e.classList].join('.')} (${Math.round(e.getBoundingClientRect().right)} px)`),
    }), PHONE_WIDTH);
    assert.ok(width <= PHONE_WIDTH, `${label} fits ${PHONE_WIDTH} px (scroll width ${width}; sticking out: ${wider.join(', ')})`);
    await assertAccessible(page, `${label} at ${PHONE_WIDTH} px`);
  } finally {
    if (before) await page.setViewportSize(before);
  }
}
