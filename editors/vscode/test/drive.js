// Drive real VS Code (code-server) in headless Debian chromium with the skill-lsp
// extension installed, against the real skill-lsp binary. Checks, as a user would see them:
//   (a) hover over `read` in parallel_md.py shows the MPI pitfall and doc/ase/parallel.rst
//   (b) "Source Action..." there lists "Open doc ..." and running it opens a new editor tab
//   (c) psi4_settings.py gets a skill-lsp diagnostic on `Psi4(xc=` (squiggle + Problems)
//   (d) skillLsp.diagnostics.severity = "error" set in the Settings UI reaches the server:
//       the same diagnostic turns into an error (squiggle class + Problems icon)
//   (c') its quick fix turns `xc=` into `method=` in the editor
//   (e) "skill-lsp: Open skill" and "skill-lsp: Search skills" list and open skills/entries
//   (f) a skillLsp.server.path that does not exist gives an error that says what to do
//   (h) hovers in an input deck (water.in) and a Julia script (model.jl) show their pitfalls
//   (g) in notebook_md.ipynb, a hover over read() in cell 3 (imported in cell 1) shows the
//       MPI pitfall: notebook sync, the cells read as one program
// Usage: node drive.js <url> <run-dir> <tools-dir>
// Exit code: 0 all checks passed, 1 a check failed, 2 harness error (exception/timeout).
// Adapted from shared/editor-harness/vscode/drive.js.
'use strict';
const fs = require('fs');
const path = require('path');

const url = process.argv[2];
const runDir = process.argv[3];
const toolsDir = process.argv[4];
const serverMode = process.argv[5] || 'setting';   // how the extension should find the binary
const serverBin = process.argv[6] || '';
const { chromium } = require(path.join(toolsDir, 'node', 'node_modules', 'playwright-core'));
const shots = path.join(runDir, 'shots');
fs.mkdirSync(shots, { recursive: true });
const settingsFile = path.join(runDir, 'ud', 'User', 'settings.json');  // read-only here: the UI writes it

let passed = 0;
let failures = 0;
const t0 = Date.now();
const secs = () => ((Date.now() - t0) / 1000).toFixed(1);
const check = (ok, what, detail) => {
  const d = detail === undefined ? '' : ': ' + JSON.stringify(detail).slice(0, 600);
  console.log(`[${secs()}s] ${ok ? 'PASS' : 'FAIL'} ${what}${d}`);
  if (ok) passed++; else failures++;
  return ok;
};
const log = (msg) => console.log(`[${secs()}s] ${msg}`);

(async () => {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
           '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  let page;
  const shot = async (name) => {
    try { await page.screenshot({ path: path.join(shots, name) }); } catch (e) { log(`screenshot ${name}: ${e}`); }
  };
  try {
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(20000);
    await page.goto(url);
    await page.waitForSelector('.monaco-workbench', { timeout: 60000 });
    log('workbench loaded');

    const editorLines = page.locator('.editor-instance .monaco-editor .view-lines');
    const openFromExplorer = async (name, textInFile) => {
      const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: name });
      await row.first().waitFor({ timeout: 60000 });
      await row.first().dblclick();
      await editorLines.filter({ hasText: textInFile }).first().waitFor();
      await page.locator('.tabs-container .tab.active', { hasText: name }).waitFor();
    };
    const activeTab = async () =>
      (await page.locator('.tabs-container .tab.active .label-name').first().innerText().catch(() => '')).trim();
    const viewLine = (text) => page.locator('.editor-instance .view-line').filter({ hasText: text }).first();
    // Screen box of `word` inside the (first) visible editor line containing `lineText`,
    // measured on the rendered text (independent of how the line is split into tokens).
    const wordBox = (lineText, word) => page.evaluate(([lineText, word]) => {
      const norm = (t) => t.replace(/\u00a0/g, ' ');
      // Text editors, and the cell editors of a notebook editor; hidden ones skipped.
      for (const line of document.querySelectorAll('.editor-instance .view-line, .notebook-editor .view-line')) {
        const text = norm(line.textContent || '');
        const at = text.indexOf(lineText);
        if (at < 0 || line.getBoundingClientRect().width === 0) continue;
        const start = at + lineText.indexOf(word);
        const end = start + word.length;
        const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
        const range = document.createRange();
        let pos = 0, node, started = false;
        while ((node = walker.nextNode())) {
          const len = node.textContent.length;
          if (!started && start < pos + len) { range.setStart(node, start - pos); started = true; }
          if (started && end <= pos + len) {
            range.setEnd(node, end - pos);
            const r = range.getBoundingClientRect();
            return { x: r.x, y: r.y, width: r.width, height: r.height };
          }
          pos += len;
        }
      }
      return null;
    }, [lineText, word]);
    const token = (lineText, word) => ({
      box: async () => {
        for (let i = 0; i < 80; i++) {
          const b = await wordBox(lineText, word);
          if (b && b.width > 0) return b;
          await page.waitForTimeout(250);
        }
        throw new Error(`"${word}" not found on a visible line containing "${lineText}"`);
      },
      async hover() { const b = await this.box(); await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2); },
      async click() { const b = await this.box(); await page.mouse.click(b.x + b.width / 2, b.y + b.height / 2); },
    });
    const clickMenuRow = async (row) => {
      // The menu lays an invisible pointer block over the page until the mouse moves.
      const box = await row.boundingBox();
      await page.mouse.move(box.x + 5, box.y + 5);
      await page.mouse.move(box.x + 10, box.y + box.height / 2);
      await row.click();
    };
    const runPaletteCommand = async (label) => {
      await page.keyboard.press('F1');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor();
      await input.fill('>' + label);
      const row = page.locator('.quick-input-list .monaco-list-row', { hasText: label }).first();
      await row.waitFor();
      await page.keyboard.press('Enter');
    };

    // Open a code-action menu with `trigger` until it lists `want`. VS Code sometimes answers
    // the first request of a burst with "No ... actions available" although the server
    // returned actions (a UI-side race with the hover's own quick-fix request); so retry,
    // as fast as VS Code answers either way.
    const actionMenu = page.locator('.action-widget');
    const openActionMenu = async (label, trigger, want) => {
      for (let i = 0; i < 5; i++) {
        await trigger();
        await page.locator('.action-widget .monaco-list-row, .monaco-editor-overlaymessage').first()
          .waitFor({ timeout: 10000 }).catch(() => {});
        const text = await actionMenu.filter({ hasText: want }).first().waitFor({ timeout: 1500 })
          .then(() => actionMenu.first().innerText(), () => '');
        if (want.test(text)) return text;
        const seen = await actionMenu.first().innerText({ timeout: 500 }).catch(() => '')
          || await page.locator('.monaco-editor-overlaymessage').first().innerText({ timeout: 500 }).catch(() => '')
          || '(nothing shown)';
        log(`${label} attempt ${i + 1}: not offered yet (${JSON.stringify(seen.trim())}), retrying`);
        await shot(`vscode-${label.replace(/\W+/g, '-')}-attempt${i + 1}.png`);
        await page.keyboard.press('Escape');
        await page.waitForTimeout(500);
      }
      return '';
    };

    // ---------------------------------------------------------------- (a) hover
    await openFromExplorer('parallel_md.py', "atoms = read('start.traj')");
    check(true, 'parallel_md.py open in the editor');
    const modeItem = page.locator('#status\\.editor\\.mode');
    await modeItem.filter({ hasText: 'Python' }).waitFor({ timeout: 30000 }).catch(() => {});
    const mode = await modeItem.innerText().catch(() => '');
    check(/python/i.test(mode), 'language mode is Python', mode);

    // which binary the extension started (first line it writes to its output channel)
    const serverStarted = () => {
      const logs = path.join(runDir, 'ud', 'logs');
      const found = [];
      const walk = (d) => { for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p); else if (/-skill-lsp\.log$/.test(e.name)) found.push(p);
      } };
      try { walk(logs); } catch { /* no logs yet */ }
      for (const f of found) {
        const m = fs.readFileSync(f, 'utf8').match(/skill-lsp: starting (.*) lsp/);
        if (m) return m[1];
      }
      return '';
    };
    const expected = {
      setting: (p) => p === serverBin,
      bundled: (p) => p.startsWith(path.join(runDir, 'ext')) && p.endsWith('/server/skill-lsp'),
      path: (p) => p === path.join(runDir, 'home', '.cargo', 'bin', 'skill-lsp'),
      venv: (p) => p === path.join(runDir, 'ws', '.venv', 'bin', 'skill-lsp'),
    }[serverMode];
    // The same fact seen from the process table: a `<binary> lsp` child whose environment
    // carries this run's cache folder (run.sh exports it to code-server, and the extension
    // host passes it on). VS Code writes output channels to disk lazily, and a loaded CI
    // machine has been seen to take longer than 30 s to flush the first line.
    const runCache = `SKILL_LSP_CACHE_DIR=${path.join(runDir, 'cache')}`;
    const serverProcess = () => {
      let pids = [];
      try { pids = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)); } catch { return ''; }
      for (const pid of pids) {
        try {
          const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
          if (argv[1] !== 'lsp' || !argv[0].endsWith('skill-lsp')) continue;
          const env = fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
          if (env.includes(runCache)) return argv[0];
        } catch { /* the process ended or is not ours */ }
      }
      return '';
    };
    let started = '';
    let seenBy = '';
    const startWaitSecs = 90;
    for (let i = 0; i < startWaitSecs * 4 && !started; i++) {
      started = serverStarted();
      seenBy = 'its output channel';
      if (!started) {
        started = serverProcess();
        seenBy = 'the process table';
      }
      if (!started) await page.waitForTimeout(250);
    }
    if (started) log(`server start seen in ${seenBy}: ${started}`);
    if (!check(started !== '' && expected(started), `the extension found and started the server through "${serverMode}"`,
      started || `no "skill-lsp: starting" line in its output channel and no server process within ${startWaitSecs} s`)) {
      throw new Error('the extension did not start the expected server: the other checks cannot pass');
    }


    const readWord = token("atoms = read('start.traj')", 'read');
    const hover = page.locator('.monaco-hover-content').filter({ hasText: 'MPI' });
    let hoverText = '';
    // retry: the extension host, the server and its index start in the background
    for (let i = 0; i < 20 && !(hoverText.includes('MPI') && hoverText.includes('doc/ase/parallel.rst')); i++) {
      await page.mouse.move(5, 5);
      await page.waitForTimeout(150);
      await readWord.hover();
      hoverText = await hover.first().waitFor({ timeout: 3000 })
        .then(() => hover.first().innerText(), () => '');
    }
    log('hover found');
    await page.waitForTimeout(300);   // let the hover finish fading in
    await shot('vscode-hover.png');
    check(hoverText.includes('MPI'), 'hover over read() mentions MPI', hoverText.slice(0, 300));
    check(hoverText.includes('doc/ase/parallel.rst'), 'hover over read() links doc/ase/parallel.rst',
      (hoverText.match(/.*parallel\.rst.*/) || [''])[0]);
    check(hoverText.includes('same order'), 'hover over read() has the "same order" pitfall text');

    // ---------------------------------------------------------------- (b) Quick Fix... (Ctrl+.) -> Open doc
    await page.mouse.move(5, 5);
    await page.keyboard.press('Escape');
    await readWord.click();
    const tabsBefore = await page.locator('.tabs-container .tab').count();
    const menuText = await openActionMenu('quick fix', async () => {
      await readWord.click();
      await page.waitForTimeout(300);
      await runPaletteCommand('Quick Fix...');
    }, /Open doc/);
    await shot('vscode-quick-fix.png');
    check(menuText.includes('Open doc'), 'Quick Fix... (Ctrl+.) lists an "Open doc" action', menuText.trim());
    check(!menuText.includes('`'), 'action titles carry no raw backticks', menuText.trim());
    if (menuText.includes('Open doc')) {
      const item = page.locator('.action-widget .monaco-list-row', { hasText: 'Open doc' }).first();
      const itemText = (await item.innerText()).trim();
      await clickMenuRow(item);
      let title = '';
      for (let i = 0; i < 40; i++) {
        title = await activeTab();
        if (title && title !== 'parallel_md.py') break;
        await page.waitForTimeout(250);
      }
      const tabsAfter = await page.locator('.tabs-container .tab').count();
      await shot('vscode-open-doc.png');
      check(title !== '' && title !== 'parallel_md.py' && tabsAfter > tabsBefore,
        `running "${itemText}" opens a new editor tab`, { activeTab: title, tabsBefore, tabsAfter });
    }
    const parallelUnchanged = fs.readFileSync(path.join(runDir, 'ws', 'parallel_md.py'), 'utf8').includes("atoms = read('start.traj')");
    check(parallelUnchanged, 'parallel_md.py on disk untouched by the UI steps');

    // ---------------------------------------------------------------- (c) diagnostic on Psi4(xc=
    await page.keyboard.press('Escape');
    await openFromExplorer('psi4_settings.py', "water.calc = Psi4(xc='b3lyp'");
    check(true, 'psi4_settings.py open in the editor');
    const squiggle = (sev) => page.locator(`.editor-instance .monaco-editor .squiggly-${sev}`);
    const gotInfo = await squiggle('info').first().waitFor({ timeout: 30000 }).then(() => true, () => false);
    check(gotInfo, 'information squiggle rendered in psi4_settings.py (default severity)');

    // Problems panel: the marker on line 8, its source/code and its icon
    await page.keyboard.press('Control+Shift+M');
    const markerRow = page.locator('.markers-panel .monaco-list-row').filter({ hasText: 'Ln 8' })
      .filter({ hasText: 'skill-lsp' });
    const rowInfo = async () => {
      const row = markerRow.first();
      const text = (await row.innerText().catch(() => '')).replace(/\s+/g, ' ').trim();
      const icon = await row.locator('.marker-icon').first().getAttribute('class').catch(() => '') || '';
      return { text, icon };
    };
    // the icon's class: "marker-icon info" / "marker-icon error" (codicon-* in other versions)
    const isSev = (cls, sev) => new RegExp(`(^|\\s)(codicon-)?${sev}(\\s|$)`).test(cls || '');
    const gotRow = await markerRow.first().waitFor({ timeout: 20000 }).then(() => true, () => false);
    const before = gotRow ? await rowInfo() : { text: '', icon: '' };
    await shot('vscode-problems-info.png');
    check(gotRow && /ase-psi4-interface/.test(before.text),
      'Problems lists a skill-lsp (ase-psi4-interface) diagnostic on line 8 (Psi4(xc=...))', before.text);
    check(isSev(before.icon, 'info'), 'that diagnostic is shown as information', before.icon);

    // ---------------------------------------------------------------- (d) settings reach the server
    // through the Settings UI, as a user would: search the setting, pick "error" in its dropdown
    await runPaletteCommand('Preferences: Open User Settings');
    await page.locator('.settings-editor').waitFor();
    await page.locator('.settings-editor .suggest-input-container textarea, .settings-editor .settings-header input').first()
      .waitFor().catch(() => {});
    await page.waitForTimeout(500);
    await page.keyboard.type('skillLsp.diagnostics.severity');
    const settingItem = page.locator('.settings-editor .setting-item-contents[data-key="skillLsp.diagnostics.severity"]').first();
    await settingItem.waitFor();
    const descr = (await settingItem.locator('.setting-item-description').innerText().catch(() => '')).trim();
    check(descr.length > 0, 'the Settings UI shows skillLsp.diagnostics.severity with its description', descr);
    await settingItem.locator('select').click();
    const option = page.locator('.monaco-select-box-dropdown-container .monaco-list-row', { hasText: /^error$/ }).first();
    await option.waitFor();
    await option.click();
    let written = {};
    for (let i = 0; i < 40 && written['skillLsp.diagnostics.severity'] !== 'error'; i++) {
      await page.waitForTimeout(250);
      try { written = JSON.parse(fs.readFileSync(settingsFile, 'utf8')); } catch { written = {}; }
    }
    check(written['skillLsp.diagnostics.severity'] === 'error',
      'the Settings UI wrote "skillLsp.diagnostics.severity": "error" to the user settings.json');
    await shot('vscode-settings-ui.png');
    await page.locator('.tabs-container .tab', { hasText: 'psi4_settings.py' }).first().click();
    await viewLine("water.calc = Psi4(xc='b3lyp'").waitFor();
    let after = { text: '', icon: '' };
    for (let i = 0; i < 80; i++) {
      after = await rowInfo();
      if (isSev(after.icon, 'error')) break;
      await page.waitForTimeout(250);
    }
    const gotError = await squiggle('error').first().waitFor({ timeout: 10000 }).then(() => true, () => false);
    await shot('vscode-problems-error.png');
    check(isSev(after.icon, 'error'), 'after the settings change Problems shows it as an error', after);
    check(gotError, 'after the settings change the squiggle is an error squiggle');

    // ---------------------------------------------------------------- (c') quick fix xc= -> method=
    await page.mouse.move(5, 5);
    const xcWord = token("water.calc = Psi4(xc='b3lyp'", 'xc');
    const fixText = await openActionMenu('quick fix', async () => {
      await xcWord.click();
      await page.waitForTimeout(300);
      await page.keyboard.press('Control+.');
    }, /method/);
    await shot('vscode-quickfix.png');
    check(/method/.test(fixText), 'Quick Fix menu offers the skill-lsp fix', fixText.trim());
    check(!fixText.includes('`'), 'the fix title carries no raw backticks', fixText.trim());
    if (/method/.test(fixText)) {
      const fixItem = page.locator('.action-widget .monaco-list-row', { hasText: 'method' }).first();
      await clickMenuRow(fixItem);
      const fixed = await viewLine("water.calc = Psi4(method='b3lyp'").waitFor({ timeout: 10000 })
        .then(() => true, () => false);
      const line8 = (await page.locator('.editor-instance .view-line').filter({ hasText: 'water.calc' }).first()
        .innerText().catch(() => '')).replace(/\u00a0/g, ' ');
      check(fixed && !line8.includes('xc='), 'applying the quick fix turns xc= into method=', line8);
    }

    // ---------------------------------------------------------------- (e) the extension's commands
    await page.keyboard.press('Escape');
    const quickInput = page.locator('.quick-input-widget');
    const pickRows = page.locator('.quick-input-list .monaco-list-row');
    // skill-lsp: Open skill -> quick pick of skills -> SKILL.md opens
    await runPaletteCommand('skill-lsp: Open skill');
    const skillRow = pickRows.filter({ hasText: 'ase-psi4-interface' }).first();
    const gotSkills = await skillRow.waitFor({ timeout: 15000 }).then(() => true, () => false);
    const skillList = gotSkills ? (await page.locator('.quick-input-list').innerText()).replace(/\s+/g, ' ') : '';
    check(gotSkills && skillList.includes('ase-parallel-hpc') && skillList.includes('oqupy-parallel-hpc'),
      '"skill-lsp: Open skill" lists the indexed skills', skillList);
    if (gotSkills) {
      await quickInput.locator('input').fill('ase-psi4-interface');
      await page.waitForTimeout(200);
      await page.keyboard.press('Enter');
      const opened = await editorLines.filter({ hasText: 'name: ase-psi4-interface' }).first()
        .waitFor({ timeout: 10000 }).then(() => true, () => false);
      check(opened && (await activeTab()) === 'SKILL.md', '"skill-lsp: Open skill" opens the chosen SKILL.md',
        await activeTab());
    }
    // skill-lsp: Search skills -> workspace/symbol results -> the chosen entry opens
    await runPaletteCommand('skill-lsp: Search skills');
    await page.waitForTimeout(300);
    await quickInput.locator('input').fill('Psi4 kpts');
    const hitRow = pickRows.filter({ hasText: 'ase-psi4-interface' }).first();
    const gotHits = await hitRow.waitFor({ timeout: 15000 }).then(() => true, () => false);
    const hitText = gotHits ? (await hitRow.innerText()).replace(/\s+/g, ' ') : '';
    await shot('vscode-search-skills.png');
    check(gotHits, '"skill-lsp: Search skills" shows knowledge-base hits for "Psi4 kpts"', hitText);
    if (gotHits) {
      const line = (hitText.match(/:(\d+)\s*$/) || [])[1];
      await hitRow.click();
      const selection = page.locator('#status\\.editor\\.selection');
      const landed = await selection.filter({ hasText: `Ln ${line},` }).first().waitFor({ timeout: 10000 })
        .then(() => true, () => false);
      const where = `${await activeTab()} ${(await selection.innerText().catch(() => '')).trim()}`;
      check(landed && /\.md /.test(where), `"skill-lsp: Search skills" opens the chosen entry (line ${line})`, where);
    }

    // ---------------------------------------------------------------- (g) a notebook cell
    // notebook_md.ipynb imports `read` in its first cell and calls it in its third: the
    // hover in the third cell shows the MPI read pitfall (the cells are one program).
    {
      const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'notebook_md.ipynb' });
      await row.first().waitFor({ timeout: 60000 });
      await row.first().dblclick();
      await page.locator('.tabs-container .tab.active', { hasText: 'notebook_md.ipynb' }).waitFor();
      const cellRead = token("atoms = read('start.traj')", 'read');
      const cellHover = page.locator('.monaco-hover-content').filter({ hasText: 'same order' });
      let cellText = '';
      for (let i = 0; i < 20 && !cellText.includes('same order'); i++) {
        await page.mouse.move(5, 5);
        await page.waitForTimeout(150);
        await cellRead.hover();
        cellText = await cellHover.first().waitFor({ timeout: 3000 })
          .then(() => cellHover.first().innerText(), () => '');
      }
      await shot('vscode-notebook-hover.png');
      check(cellText.includes('same order') && cellText.includes('ase.io.read'),
        'hover over read() in a notebook cell, imported in an earlier cell, shows the MPI pitfall',
        cellText.slice(0, 300));
    }

    // ---------------------------------------------------------------- (h) beyond Python
    // An input deck (attached by file pattern, no language of its own) and a Julia script
    // of the workspace pack `spinx` (editors/test/fixture.sh): hover shows the pitfall
    // naming the keyword or the call.
    for (const [file, lineText, word, want] of [
      ['water.in', 'mixing.scheme   broyden', 'mixing.scheme', 'diverges for magnetic cells'],
      ['model.jl', 'h = hamiltonian(lat', 'hamiltonian', 'built lazily'],
    ]) {
      await openFromExplorer(file, lineText);
      const target = token(lineText, word);
      const box = page.locator('.monaco-hover-content').filter({ hasText: want });
      let text = '';
      for (let i = 0; i < 20 && !text.includes(want); i++) {
        await page.mouse.move(5, 5);
        await page.waitForTimeout(150);
        await target.hover();
        text = await box.first().waitFor({ timeout: 3000 })
          .then(() => box.first().innerText(), () => '');
      }
      await shot(`vscode-hover-${file.replace(/\W+/g, '-')}.png`);
      check(text.includes(want), `hover over ${word} in ${file} shows its pitfall`, text.slice(0, 300));
    }

    // ---------------------------------------------------------------- (f) a wrong server path
    // skillLsp.server.path -> a missing file: the extension restarts and says what to do
    await runPaletteCommand('Preferences: Open User Settings');
    await page.locator('.settings-editor').waitFor();
    // server.path is machine-overridable: in code-server (a remote window) the Settings UI
    // shows it under the "Remote" tab (the machine the extension host and server run on)
    await page.mouse.move(5, 5);
    await page.locator('.settings-editor .settings-tabs-widget .action-label', { hasText: 'Remote' }).first().click();
    await page.locator('.settings-editor .suggest-input-container').first().click();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('skillLsp.server.path');
    const pathItem = page.locator('.settings-editor .setting-item-contents[data-key="skillLsp.server.path"]').first();
    await pathItem.waitFor();
    const pathInput = pathItem.locator('input').first();
    await pathInput.click();
    await pathInput.fill('/nonexistent/skill-lsp');
    await page.keyboard.press('Tab');
    const toast = page.locator('.notifications-toasts .notification-toast', { hasText: 'cargo install --path .' }).first();
    const gotToast = await toast.waitFor({ timeout: 15000 }).then(() => true, () => false);
    const toastText = gotToast ? (await toast.innerText()).replace(/\s+/g, ' ') : '';
    await page.waitForTimeout(500);
    await shot('vscode-server-missing.png');
    check(gotToast && toastText.includes('/nonexistent/skill-lsp') && toastText.includes('Open Settings'),
      'a wrong skillLsp.server.path gives an error saying what to do, with an Open Settings button', toastText);
  } finally {
    await shot('vscode-final.png');
    await browser.close();
  }
  log(`drive.js done`);
  console.log(`vscode: ${passed} passed, ${failures} failed`);
  process.exit(failures ? 1 : 0);
})().catch((e) => { console.error('ERROR', e); console.log(`vscode: ${passed} passed, ${failures || 1} failed`); process.exit(2); });
