// Drive real JupyterLab (with jupyterlab-lsp) in headless Chromium against the real
// skill-lsp binary, started by jupyter-lsp from editors/jupyterlab's server spec. Checks,
// as a user sees it: in notebook_md.ipynb, holding Control over `read` in the third cell
// (imported in the first) shows skill-lsp's MPI read pitfall in jupyterlab-lsp's tooltip.
// Usage: node drive.js <url> <run-dir> <playwright-core dir>
// Exit code: 0 passed, 1 a check failed, 2 harness error.
'use strict';
const path = require('path');

const [url, runDir, playwrightDir] = process.argv.slice(2);
const { chromium } = require(playwrightDir);
let passed = 0;
let failures = 0;
const t0 = Date.now();
const log = (msg) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1)}s] ${msg}`);
const check = (ok, what, detail) => {
  log(`${ok ? 'PASS' : 'FAIL'} ${what}${detail === undefined ? '' : ': ' + JSON.stringify(detail).slice(0, 500)}`);
  if (ok) passed++; else failures++;
};

(async () => {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.setDefaultTimeout(30000);
  try {
    await page.goto(url);
    const line = page.locator('.jp-Notebook .cm-line', { hasText: "atoms = read('start.traj')" }).first();
    await line.waitFor({ timeout: 90000 });
    check(true, 'notebook_md.ipynb open in JupyterLab');
    // A kernel dialog, if one comes up, is not what this test is about.
    await page.keyboard.press('Escape');
    const box = async () => page.evaluate(() => {
      for (const el of document.querySelectorAll('.jp-Notebook .cm-line')) {
        const text = el.textContent || '';
        const at = text.indexOf("atoms = read('start.traj')");
        if (at < 0) continue;
        const start = at + 'atoms = '.length;
        const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
        const range = document.createRange();
        let pos = 0, node, started = false;
        while ((node = walker.nextNode())) {
          const len = node.textContent.length;
          if (!started && start < pos + len) { range.setStart(node, start - pos); started = true; }
          if (started && start + 4 <= pos + len) {
            range.setEnd(node, start + 4 - pos);
            const r = range.getBoundingClientRect();
            return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
          }
          pos += len;
        }
      }
      return null;
    });
    const tooltip = page.locator('.lsp-tooltip, .jp-Tooltip, .lsp-hover').filter({ hasText: 'same order' });
    let text = '';
    // The server starts and indexes in the background; jupyterlab-lsp connects when the
    // notebook opens: retry the hover until it answers.
    for (let i = 0; i < 40 && !text.includes('same order'); i++) {
      const at = await box();
      if (!at) { await page.waitForTimeout(500); continue; }
      await page.mouse.move(at.x, at.y - 40);
      await page.keyboard.down('Control');
      await page.mouse.move(at.x, at.y);
      text = await tooltip.first().waitFor({ timeout: 2500 }).then(() => tooltip.first().innerText(), () => '');
      await page.keyboard.up('Control');
    }
    await page.screenshot({ path: path.join(runDir, 'jupyterlab-hover.png') });
    check(text.includes('same order') && text.includes('ase.io.read'),
      'Control+hover over read() in cell 3 (imported in cell 1) shows the MPI pitfall', text.slice(0, 300));
  } finally {
    await browser.close();
  }
  console.log(`jupyterlab: ${passed} passed, ${failures} failed`);
  process.exit(failures ? 1 : 0);
})().catch((e) => { console.error('ERROR', e); console.log(`jupyterlab: ${passed} passed, 1 failed`); process.exit(2); });
