// Loads /docs in headless Chromium: no console errors, the sample's routes listed, and a
// "try it" call returning the mock's JSON. Usage: node docs.mjs BASE_URL SCREENSHOT.png
import { chromium } from "playwright-core";

const [base, shot] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const page = await browser.newPage();
  const errors = [];
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  page.on("pageerror", (e) => errors.push(String(e)));
  const offsite = [];
  page.on("request", (r) => { if (!r.url().startsWith(base)) offsite.push(r.url()); });

  await page.goto(base + "/docs");
  await page.waitForSelector("#op-CrmGetCustomer", { timeout: 15000 });
  const routes = await page.locator("summary .path").allTextContents();
  for (const want of ["/api/customer/customers/{customerId}", "/api/customer/customers", "/api/customer/place-order"]) {
    if (!routes.includes(want)) throw new Error(`route ${want} is not listed: ${routes.join(", ")}`);
  }

  await page.click("#op-CrmGetCustomer summary");
  await page.fill("#CrmGetCustomer-customerId", "42");
  await page.click("#op-CrmGetCustomer button[type=submit]");
  await page.waitForFunction(() => document.querySelector("#op-CrmGetCustomer .result").textContent.includes("customerId"), null, { timeout: 15000 });
  const answer = JSON.parse(await page.textContent("#op-CrmGetCustomer .result"));
  if (answer.customerId !== 42) throw new Error("unexpected answer: " + JSON.stringify(answer));
  const status = await page.textContent("#op-CrmGetCustomer .status");
  if (!status.startsWith("200")) throw new Error("unexpected status: " + status);

  await page.screenshot({ path: shot, fullPage: false });
  // Readable on a phone: no horizontal scrolling at 390 px.
  await page.setViewportSize({ width: 390, height: 844 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  if (overflow > 0) throw new Error(`the page scrolls sideways on a phone by ${overflow}px`);
  await page.screenshot({ path: shot.replace(/\.png$/, "-phone.png") });

  if (errors.length) throw new Error("console errors: " + errors.join("; "));
  if (offsite.length) throw new Error("requests outside the bridge: " + offsite.join(", "));
  console.log(`OK: ${routes.length} routes listed, try-it answered ${status}`);
} finally {
  await browser.close();
}
