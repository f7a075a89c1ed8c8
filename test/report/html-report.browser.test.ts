// The HTML report in a real browser: headless Chromium (the Debian package, driven by
// playwright-core) opens the file offline, the pictures must render, hovering and clicking
// points must show their plans, and nothing may log an error. Screenshots are kept under
// out/test-artifacts/. No skip: a machine without Chromium fails here, loudly.
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { htmlReport } from "../../src/report/index.js";
import type { SearchResult } from "../../src/search/result/search-result.js";
import { sampleResult } from "./sample-results.js";

const CHROMIUM = process.env.TESSERA_CHROMIUM ?? "/usr/bin/chromium";
const ARTIFACTS = fileURLToPath(new URL("../../out/test-artifacts/", import.meta.url));

let result: SearchResult;
let reportUrl = "";

/** What the page did that it must not: console errors, uncaught exceptions, network requests. */
interface Trouble {
  readonly errors: string[];
  readonly requests: string[];
}

async function open(hash = ""): Promise<{ page: Page; trouble: Trouble }> {
  const browser = await launch();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, offline: true });
  const page = await context.newPage();
  const trouble: Trouble = { errors: [], requests: [] };
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") trouble.errors.push(`${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => trouble.errors.push(`pageerror: ${e.message}`));
  page.on("request", (r) => {
    if (!r.url().startsWith("file:") && !r.url().startsWith("data:")) trouble.requests.push(r.url());
  });
  await page.goto(`${reportUrl}${hash}`, { waitUntil: "load" });
  return { page, trouble };
}

/** A box on the page, in CSS pixels from the viewport's corner. */
interface PageRect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** The little of the DOM these tests read in the page, typed here: the project compiles without the DOM library. */
interface PageElement {
  readonly className: string;
  readonly parentElement: PageElement | null;
  getAttribute(name: string): string | null;
  getBoundingClientRect(): PageRect;
  closest(selector: string): PageElement | null;
  querySelector(selector: string): PageElement | null;
}

/** Ids of the points of `role` that a click at their centre reaches (not covered by another point). */
async function clickablePoints(page: Page, role: string): Promise<string[]> {
  // Hit-testing sees only what is in the viewport.
  await page.locator(".pareto").scrollIntoViewIfNeeded();
  return page.locator(`.pareto .point.${role}`).evaluateAll((points: PageElement[]) => {
    const doc = (
      globalThis as unknown as { document: { elementFromPoint(x: number, y: number): PageElement | null } }
    ).document;
    return points
      .filter((p) => {
        const box = p.querySelector(".mark")!.getBoundingClientRect();
        return doc.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2)?.closest(".point") === p;
      })
      .map((p) => p.getAttribute("data-plan")!);
  });
}

/** The visible plan sections' ids. */
async function shownPlans(page: Page): Promise<string[]> {
  return page
    .locator("article.plan-detail")
    .evaluateAll((articles: PageElement[]) =>
      articles.filter((a) => a.getBoundingClientRect().height > 0).map((a) => a.getAttribute("data-plan")!),
    );
}

/** Width and height of each `<svg>` directly in the figures of `selector`. */
async function pictureSizes(
  page: Page,
  selector: string,
): Promise<{ figure: string; width: number; height: number }[]> {
  return page.locator(`${selector} .figure > svg`).evaluateAll((svgs: PageElement[]) =>
    svgs.map((svg) => {
      const box = svg.getBoundingClientRect();
      return { figure: svg.parentElement!.className, width: box.width, height: box.height };
    }),
  );
}

let launching: Promise<Browser> | undefined;

/**
 * The browser, launched on first use. Launching inside each test (not in `beforeAll`) makes a
 * missing Chromium fail every test rather than report them skipped.
 */
function launch(): Promise<Browser> {
  launching ??= chromium
    .launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
      ],
    })
    .catch((error: unknown) => {
      const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
      throw new Error(
        `cannot launch Chromium at ${CHROMIUM} (${reason}): install the Debian package 'chromium' (npm test's bootstrap does, as root) or set TESSERA_CHROMIUM`,
      );
    });
  return launching;
}

beforeAll(async () => {
  result = sampleResult("transformer-block");
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = `${ARTIFACTS}html-report.html`;
  writeFileSync(file, await htmlReport(result, { source: "transformer-block search (test)" }));
  reportUrl = pathToFileURL(file).href;
});

afterAll(async () => {
  const browser = await launching?.catch(() => undefined);
  await browser?.close();
});

describe("HTML report in Chromium", () => {
  it("opens offline and renders the front and the chosen plan's pictures, without errors", async () => {
    const { page, trouble } = await open();
    const chosen = `f${result.chosen + 1}`;
    expect(await shownPlans(page)).toEqual([chosen]);
    const pareto = await pictureSizes(page, "#front");
    expect(pareto).toHaveLength(1);
    expect(pareto[0]!.width).toBeGreaterThan(400);
    expect(pareto[0]!.height).toBeGreaterThan(250);
    const pictures = await pictureSizes(page, `#plan-${chosen}`);
    expect(pictures.map((p) => p.figure.split(" ")[1])).toEqual(["plan-graph", "shard-map", "timeline"]);
    for (const p of pictures) {
      expect(p.width, p.figure).toBeGreaterThan(100);
      expect(p.height, p.figure).toBeGreaterThan(100);
    }
    // Every point of the plot is drawn with a size.
    const marks = await page
      .locator(".pareto .point .mark")
      .evaluateAll((els: PageElement[]) =>
        els.map((e) => e.getBoundingClientRect()).map((b) => b.width * b.height),
      );
    expect(marks).toHaveLength(result.front.length + result.baselines.length);
    expect(marks.every((a) => a > 0)).toBe(true);
    await page.locator("#front").screenshot({ path: `${ARTIFACTS}html-report-front.png` });
    expect(trouble).toEqual({ errors: [], requests: [] });
    await page.context().close();
  });

  it("hovering a front point shows its cost and summary in a card", async () => {
    const { page, trouble } = await open();
    const id = (await clickablePoints(page, "front")).at(-1)!;
    const name = await page.locator(`.pareto .point[data-plan="${id}"]`).getAttribute("data-name");
    await page.locator(`.pareto .point[data-plan="${id}"] .mark`).hover();
    const card = page.locator("#hover-card");
    await expect.poll(() => card.isVisible()).toBe(true);
    const text = (await card.textContent()) ?? "";
    expect(text).toContain(name!);
    expect(text).toMatch(/makespan [\d.]+ µs/);
    expect(text).toMatch(/tasks on \d+ devices?/);
    await page.mouse.move(2, 2);
    await expect.poll(() => card.isVisible()).toBe(false);
    expect(trouble).toEqual({ errors: [], requests: [] });
    await page.context().close();
  });

  it("clicking a front point, then a baseline point, shows that plan with its pictures", async () => {
    const { page, trouble } = await open();
    const chosen = `f${result.chosen + 1}`;
    const front = (await clickablePoints(page, "front")).filter((id) => id !== chosen);
    const baseline = await clickablePoints(page, "baseline");
    expect(front.length).toBeGreaterThan(0);
    expect(baseline.length).toBeGreaterThan(0);
    for (const id of [front.at(-1)!, baseline[0]!]) {
      await page.locator(`.pareto .point[data-plan="${id}"] .mark`).click();
      expect(await shownPlans(page)).toEqual([id]);
      const name = await page.locator(`article#plan-${id}`).getAttribute("data-name");
      await expect.poll(() => page.locator("#selected-name").textContent()).toBe(name);
      expect(await page.locator(`.pareto .point[data-plan="${id}"]`).getAttribute("class")).toContain(
        "selected",
      );
      expect(await page.locator(`tr[data-plan="${id}"]`).getAttribute("class")).toContain("selected");
      expect(new URL(page.url()).hash).toBe(`#plan-${id}`);
      const pictures = await pictureSizes(page, `#plan-${id}`);
      expect(pictures).toHaveLength(3);
      for (const p of pictures) expect(p.width * p.height, `${id} ${p.figure}`).toBeGreaterThan(10_000);
      const explained = await page.locator(`article#plan-${id} ul.explanation li`).count();
      expect(explained).toBe(result.front[0]!.plan.program.operations.length);
    }
    await page.screenshot({ path: `${ARTIFACTS}html-report-plan.png`, fullPage: true });
    expect(trouble).toEqual({ errors: [], requests: [] });
    await page.context().close();
  });

  it("selects a plan from a table row, from the keyboard, and from the address's #plan-id", async () => {
    const { page, trouble } = await open();
    await page.locator('tr[data-plan="b3"] td').nth(2).click();
    expect(await shownPlans(page)).toEqual(["b3"]);
    const id = (await clickablePoints(page, "front"))[0]!;
    await page.locator(`.pareto .point[data-plan="${id}"]`).focus();
    await page.keyboard.press("Enter");
    expect(await shownPlans(page)).toEqual([id]);
    await page.context().close();
    const again = await open("#plan-b2");
    expect(await shownPlans(again.page)).toEqual(["b2"]);
    expect(trouble.errors).toEqual([]);
    expect(again.trouble).toEqual({ errors: [], requests: [] });
    await again.page.context().close();
  });

  it("a figure's zoom button switches between fitting the page and actual size", async () => {
    const { page, trouble } = await open();
    const chosen = `f${result.chosen + 1}`;
    const figure = page.locator(`#plan-${chosen} .figure.timeline`);
    const before = (await figure.locator("svg").boundingBox())!.width;
    await figure.locator("button.zoom").click();
    expect(await figure.getAttribute("class")).toContain("actual-size");
    expect(await figure.locator("button.zoom").textContent()).toBe("fit to width");
    expect((await figure.locator("svg").boundingBox())!.width).toBeGreaterThanOrEqual(before);
    expect(trouble).toEqual({ errors: [], requests: [] });
    await page.context().close();
  });
});
