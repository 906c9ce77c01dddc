// Opens each HTML page in headless Chromium (playwright-core, Debian's
// chromium) at a desktop and a phone width and reports, as one JSON line
// per page and width: the page's width beyond the viewport (horizontal
// overflow), the texts whose boxes overlap a chart they are not part of,
// the requests the page made that are not file:// ones, and a screenshot.
//
// Usage: NODE_PATH=.../node_modules node check_pages.cjs OUT_DIR PAGE.html...
const { chromium } = require("playwright-core");
const path = require("node:path");

(async () => {

const [outDir, ...pages] = process.argv.slice(2);
const widths = { desktop: 1280, phone: 390 };
const browser = await chromium.launch({
  executablePath: process.env.PACTUM_CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
});
for (const page of pages) {
  for (const [name, width] of Object.entries(widths)) {
    const context = await browser.newContext({ viewport: { width, height: 900 } });
    const tab = await context.newPage();
    const requested = [];
    tab.on("request", (r) => {
      if (!r.url().startsWith("file:")) requested.push(r.url());
    });
    await tab.goto("file://" + path.resolve(page));
    const found = await tab.evaluate(() => {
      const overflow = document.documentElement.scrollWidth - window.innerWidth;
      // Text outside charts whose box crosses a chart's box.
      const charts = [...document.querySelectorAll("svg")].map((s) => s.getBoundingClientRect());
      const overlaps = [];
      for (const el of document.querySelectorAll("p, li, td, th, h1, h2, h3, summary")) {
        if (el.closest("svg") || !el.checkVisibility()) continue;
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.height === 0) continue;
        for (const c of charts) {
          const cross = r.left < c.right - 1 && c.left < r.right - 1 && r.top < c.bottom - 1 && c.top < r.bottom - 1;
          if (cross) overlaps.push(el.textContent.trim().slice(0, 60));
        }
      }
      // What sticks out, for the message.
      const wide = [...document.querySelectorAll("body *")]
        .filter((el) => el.checkVisibility() && el.getBoundingClientRect().right > window.innerWidth + 1
          && !el.closest(".scroll"))
        .slice(0, 3)
        .map((el) => el.tagName + " " + (el.textContent || "").trim().slice(0, 50));
      return { overflow, overlaps, wide };
    });
    const shot = path.join(outDir, path.basename(page, ".html") + "-" + name + ".png");
    await tab.screenshot({ path: shot, fullPage: false });
    console.log(JSON.stringify({ page, width: name, ...found, requested, screenshot: shot }));
    await context.close();
  }
}
await browser.close();
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
