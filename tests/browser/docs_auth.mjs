// The /docs page of a service behind an API key: the "Authorize" panel lists the scheme, a
// "try it" call without the key gets 401, with the key typed into the panel 200.
// Usage: node docs_auth.mjs BASE_URL KEY
import { chromium } from "playwright-core";

const [base, key] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(base + "/docs");
  await page.waitForSelector("#authorize", { timeout: 15000 });
  const op = "#op-CrmFindCustomers";
  await page.click(op + " summary");
  const send = async () => {
    await page.evaluate((sel) => { document.querySelector(sel + " .status").textContent = ""; }, op);
    await page.click(op + " button[type=submit]");
    await page.waitForFunction((sel) => /^\d{3}/.test(document.querySelector(sel + " .status").textContent), op, { timeout: 15000 });
    return page.textContent(op + " .status");
  };
  const refused = await send();
  if (!refused.startsWith("401")) throw new Error("without the key: " + refused);
  await page.fill("#auth-partner-keys-key", key);
  const admitted = await send();
  if (!admitted.startsWith("200")) throw new Error("with the key: " + admitted + " " + await page.textContent(op + " .result"));
  if (errors.length) throw new Error("page errors: " + errors.join("; "));
  console.log(`OK: ${refused} without the key, ${admitted} with it`);
} finally {
  await browser.close();
}
