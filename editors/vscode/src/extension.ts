// VS Code client for skill-lsp: starts `skill-lsp lsp` over stdio for Python files and
// skill files (SKILL.md, references/*.md), forwards the `skillLsp.*` settings, and adds
// a few commands (restart, search, open skill, show output).
//
// The server's own commands (skill-lsp.open, skill-lsp.search, skill-lsp.reindex) are
// registered by vscode-languageclient from the server's executeCommandProvider.

import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import {
  DidChangeConfigurationNotification,
  LanguageClient,
  LanguageClientOptions,
  RevealOutputChannelOn,
  ServerOptions,
  SymbolInformation,
  TransportKind,
  WorkspaceSymbol,
  WorkspaceSymbolRequest,
} from 'vscode-languageclient/node';

const SECTION = 'skillLsp';
const INSTALL_HINT =
  'Install it with `cargo install --path .` from the skill-lsp repository (puts skill-lsp in ~/.cargo/bin), ' +
  'or set "skillLsp.server.path" to the skill-lsp executable.';

let client: LanguageClient | undefined;
let output: vscode.OutputChannel;
let starting: Promise<void> | undefined;
let skillFileWatcher: vscode.FileSystemWatcher | undefined;

// ---------------------------------------------------------------------------------------
// Finding the server binary

function isExecutableFile(p: string): boolean {
  try {
    if (!fs.statSync(p).isFile()) {
      return false;
    }
    if (process.platform !== 'win32') {
      fs.accessSync(p, fs.constants.X_OK);
    }
    return true;
  } catch {
    return false;
  }
}

function expandHome(p: string): string {
  if (p === '~' || p.startsWith('~/')) {
    return path.join(process.env.HOME || process.env.USERPROFILE || '', p.slice(1));
  }
  return p;
}

/** `which`: the first executable `name` on PATH (plus ~/.cargo/bin, where cargo install puts it). */
function onPath(name: string): string | undefined {
  const exts = process.platform === 'win32' ? (process.env.PATHEXT || '.EXE').split(';') : [''];
  const dirs = (process.env.PATH || '').split(path.delimiter).filter((d) => d.length > 0);
  const home = process.env.HOME || process.env.USERPROFILE;
  if (home) {
    dirs.push(path.join(home, '.cargo', 'bin'));
  }
  for (const dir of dirs) {
    for (const ext of exts) {
      const candidate = path.join(dir, name + ext);
      if (isExecutableFile(candidate)) {
        return candidate;
      }
    }
  }
  return undefined;
}

interface Found {
  path?: string;
  /** Why nothing was found (shown to the user). */
  problem?: string;
}

/**
 * `skill-lsp` installed into the Python environment of the workspace (`pip install
 * skill-lsp` into its `.venv`/`venv`), or of the environment VS Code runs in
 * (`$VIRTUAL_ENV`, `$CONDA_PREFIX`), as ruff-vscode's `fromEnvironment` finds ruff. A
 * binary inside the workspace is run only when the workspace is trusted: in Restricted
 * Mode a cloned repository's `.venv` must not choose what runs.
 */
function inPythonEnvironment(exe: string): string | undefined {
  const bin = process.platform === 'win32' ? 'Scripts' : 'bin';
  const roots: string[] = [];
  if (vscode.workspace.isTrusted) {
    for (const folder of vscode.workspace.workspaceFolders || []) {
      roots.push(path.join(folder.uri.fsPath, '.venv'), path.join(folder.uri.fsPath, 'venv'));
    }
  }
  for (const variable of ['VIRTUAL_ENV', 'CONDA_PREFIX']) {
    const value = process.env[variable];
    if (value) {
      roots.push(value);
    }
  }
  return roots.map((root) => path.join(root, bin, exe)).find(isExecutableFile);
}

function findServer(context: vscode.ExtensionContext): Found {
  const configured = (vscode.workspace.getConfiguration(SECTION).get<string>('server.path') || '').trim();
  if (configured) {
    let p = expandHome(configured);
    if (!path.isAbsolute(p)) {
      const folder = vscode.workspace.workspaceFolders?.[0];
      p = folder ? path.join(folder.uri.fsPath, p) : path.resolve(p);
    }
    if (isExecutableFile(p)) {
      return { path: p };
    }
    return {
      problem: `skill-lsp: "skillLsp.server.path" is set to ${configured}, which is not an executable file. ${INSTALL_HINT}`,
    };
  }
  const exe = process.platform === 'win32' ? 'skill-lsp.exe' : 'skill-lsp';
  const bundled = context.asAbsolutePath(path.join('server', exe));
  if (isExecutableFile(bundled)) {
    return { path: bundled };
  }
  const fromEnvironment = inPythonEnvironment(exe);
  if (fromEnvironment) {
    return { path: fromEnvironment };
  }
  const found = onPath('skill-lsp');
  if (found) {
    return { path: found };
  }
  return { problem: `skill-lsp: the skill-lsp language server was not found on PATH. ${INSTALL_HINT}` };
}

// ---------------------------------------------------------------------------------------
// Settings sent to the server

/**
 * The `skillLsp` settings as the server reads them (camelCase, nested), without the
 * client-only `server.path` and without empty strings (an empty pythonPath or cacheDir
 * means "server default", which the server expresses as an absent key).
 */
function serverSettings(): Record<string, unknown> {
  const c = vscode.workspace.getConfiguration(SECTION);
  const settings: Record<string, unknown> = {
    skillPaths: (c.get<string[]>('skillPaths') || []).filter((p) => typeof p === 'string' && p.trim() !== '')
      .map((p) => expandHome(p.trim())),
    diagnostics: {
      enabled: c.get<boolean>('diagnostics.enabled', true),
      severity: c.get<string>('diagnostics.severity', 'information'),
    },
    hover: {
      pitfalls: c.get<boolean>('hover.pitfalls', true),
      notes: c.get<boolean>('hover.notes', true),
      docs: c.get<boolean>('hover.docs', true),
      sources: c.get<boolean>('hover.sources', true),
      related: c.get<boolean>('hover.related', true),
    },
  };
  const pythonPath = (c.get<string>('pythonPath') || '').trim();
  if (pythonPath) {
    settings.pythonPath = expandHome(pythonPath);
  }
  const cacheDir = (c.get<string>('cacheDir') || '').trim();
  if (cacheDir) {
    settings.cacheDir = expandHome(cacheDir);
  }
  return settings;
}

// ---------------------------------------------------------------------------------------
// Client lifecycle

async function startClient(context: vscode.ExtensionContext): Promise<void> {
  const found = findServer(context);
  if (!found.path) {
    const message = found.problem || 'skill-lsp: server not found.';
    output.appendLine(message);
    output.appendLine(`skill-lsp: searched PATH=${process.env.PATH || ''} and ~/.cargo/bin (HOME=${process.env.HOME || ''})`);
    const open = 'Open Settings';
    const log = 'Show Output';
    void vscode.window.showErrorMessage(message, open, log).then((choice) => {
      if (choice === open) {
        void vscode.commands.executeCommand('workbench.action.openSettings', 'skillLsp.server.path');
      } else if (choice === log) {
        output.show(true);
      }
    });
    return;
  }
  output.appendLine(`skill-lsp: starting ${found.path} lsp`);

  const serverOptions: ServerOptions = {
    command: found.path,
    args: ['lsp'],
    transport: TransportKind.stdio,
  };

  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'python' },
      { scheme: 'untitled', language: 'python' },
      // Notebook cells: synced as notebooks (the server reads their cells as one program).
      { notebook: '*', language: 'python' },
      // Job scripts: shell scripts, and batch files VS Code gives no language.
      { scheme: 'file', language: 'shellscript' },
      { scheme: 'file', pattern: '**/*.{slurm,sbatch,pbs,lsf,job}' },
      // C and C++ programs against a package (beside clangd or the C/C++ extension).
      { scheme: 'file', language: 'c' },
      { scheme: 'file', language: 'cpp' },
      { scheme: 'file', language: 'cuda-cpp' },
      // Julia scripts (beside the Julia extension's LanguageServer.jl).
      { scheme: 'file', language: 'julia' },
      // Fortran programs (beside Modern Fortran's fortls); by pattern where no
      // extension gives `.f90` a language.
      { scheme: 'file', language: 'fortran' },
      { scheme: 'file', language: 'FortranFreeForm' },
      { scheme: 'file', pattern: '**/*.{f,for,f77,f90,f95,f03,f08,F,F90}' },
      // Input files of simulation codes (namelists, HSD, decks), whatever language
      // another extension gives them: a selector by pattern adds skill-lsp beside it.
      {
        scheme: 'file',
        pattern:
          '**/{*.in,*.inp,*.hsd,*.nml,*.namelist,*.par,*.dat,*.input,*.fdf,.xtbrc,namelist.*,MOM_input,MOM_override,INCAR,xcontrol}',
      },
      { scheme: 'file', language: 'markdown', pattern: '**/SKILL.md' },
      { scheme: 'file', language: 'markdown', pattern: '**/references/*.md' },
    ],
    initializationOptions: serverSettings(),
    synchronize: {
      configurationSection: SECTION,
      fileEvents: skillFileWatcher,
    },
    outputChannel: output,
    revealOutputChannelOn: RevealOutputChannelOn.Never,
    middleware: {
      workspace: {
        // workspace/configuration pulls: answer the `skillLsp` section with the cleaned
        // settings object (the raw one would hand the server "" for unset paths).
        configuration: async (params, token, next) => {
          const answers = await next(params, token);
          if (!Array.isArray(answers)) {
            return answers;
          }
          return params.items.map((item, i) =>
            item.section === SECTION ? serverSettings() : answers[i]);
        },
        // didChangeConfiguration pushes: same cleaned object, under `skillLsp`.
        didChangeConfiguration: async (sections, next) => {
          if (!client || !client.isRunning()) {
            return next(sections);
          }
          await client.sendNotification(DidChangeConfigurationNotification.type, {
            settings: { [SECTION]: serverSettings() },
          });
        },
      },
    },
  };

  const c = new LanguageClient('skillLsp', 'skill-lsp', serverOptions, clientOptions);
  client = c;
  try {
    await c.start();
    output.appendLine('skill-lsp: server started');
  } catch (e) {
    const message = `skill-lsp: the server (${found.path}) failed to start: ${e instanceof Error ? e.message : String(e)}`;
    output.appendLine(message);
    void vscode.window.showErrorMessage(message, 'Show Output').then((choice) => {
      if (choice) {
        output.show(true);
      }
    });
  }
}

async function stopClient(): Promise<void> {
  const c = client;
  client = undefined;
  if (c) {
    try {
      await c.stop(5000);
    } catch (e) {
      output.appendLine(`skill-lsp: stop: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}

async function restart(context: vscode.ExtensionContext): Promise<void> {
  if (starting) {
    await starting;
  }
  starting = (async () => {
    await stopClient();
    await startClient(context);
  })();
  try {
    await starting;
  } finally {
    starting = undefined;
  }
}

// ---------------------------------------------------------------------------------------
// Commands

type Symbolish = WorkspaceSymbol | SymbolInformation;

async function workspaceSymbols(query: string, token?: vscode.CancellationToken): Promise<Symbolish[]> {
  if (!client || !client.isRunning()) {
    throw new Error('the skill-lsp server is not running (see "skill-lsp: Show server output")');
  }
  const result = await client.sendRequest(WorkspaceSymbolRequest.type, { query }, token);
  return (result || []) as Symbolish[];
}

function symbolLocation(s: Symbolish): { uri: vscode.Uri; line: number } | undefined {
  const loc = s.location as { uri: string; range?: { start: { line: number } } };
  if (!loc || !loc.uri) {
    return undefined;
  }
  return { uri: vscode.Uri.parse(loc.uri), line: loc.range ? loc.range.start.line : 0 };
}

async function openLocation(uri: vscode.Uri, line: number): Promise<void> {
  const doc = await vscode.workspace.openTextDocument(uri);
  const pos = new vscode.Position(Math.min(line, Math.max(doc.lineCount - 1, 0)), 0);
  await vscode.window.showTextDocument(doc, { selection: new vscode.Range(pos, pos), preview: false });
}

interface SymbolItem extends vscode.QuickPickItem {
  uri: vscode.Uri;
  line: number;
}

async function searchSkills(): Promise<void> {
  const pick = vscode.window.createQuickPick<SymbolItem>();
  pick.placeholder = 'Search skills: pitfalls, docs, source entry points (e.g. "Psi4 method", "MPI read")';
  pick.matchOnDescription = true;
  pick.matchOnDetail = true;
  let generation = 0;
  let pending: NodeJS.Timeout | undefined;
  const run = (query: string) => {
    const mine = ++generation;
    if (!query.trim()) {
      pick.items = [];
      pick.busy = false;
      return;
    }
    pick.busy = true;
    workspaceSymbols(query).then(
      (symbols) => {
        if (mine !== generation) {
          return;
        }
        const items: SymbolItem[] = [];
        for (const s of symbols) {
          const loc = symbolLocation(s);
          if (!loc) {
            continue;
          }
          items.push({
            label: s.name,
            description: s.containerName,
            detail: `${vscode.workspace.asRelativePath(loc.uri)}:${loc.line + 1}`,
            alwaysShow: true,
            uri: loc.uri,
            line: loc.line,
          });
        }
        pick.items = items;
        pick.busy = false;
      },
      (e) => {
        if (mine === generation) {
          pick.busy = false;
          pick.items = [];
          void vscode.window.showErrorMessage(`skill-lsp: search failed: ${e instanceof Error ? e.message : String(e)}`);
        }
      },
    );
  };
  pick.onDidChangeValue((value) => {
    if (pending) {
      clearTimeout(pending);
    }
    pending = setTimeout(() => run(value), 150);
  });
  pick.onDidAccept(async () => {
    const item = pick.selectedItems[0];
    if (!item) {
      return;
    }
    pick.hide();
    await openLocation(item.uri, item.line);
  });
  pick.onDidHide(() => pick.dispose());
  pick.show();
}

/** The SKILL.md of a skill, from any of its files (SKILL.md itself or references/*.md). */
function skillFileOf(file: string): string | undefined {
  if (path.basename(file) === 'SKILL.md') {
    return file;
  }
  let dir = path.dirname(file);
  for (let i = 0; i < 3; i++) {
    const candidate = path.join(dir, 'SKILL.md');
    if (fs.existsSync(candidate)) {
      return candidate;
    }
    dir = path.dirname(dir);
  }
  return undefined;
}

async function openSkill(): Promise<void> {
  const skills = new Map<string, string>();
  try {
    // Every SKILL.md talks about its skill: these queries reach each skill's entries.
    for (const query of ['skill', 'use this skill', 'pitfall', 'doc']) {
      for (const s of await workspaceSymbols(query)) {
        const loc = symbolLocation(s);
        const name = s.containerName;
        if (!loc || !name || skills.has(name) || loc.uri.scheme !== 'file') {
          continue;
        }
        const skillFile = skillFileOf(loc.uri.fsPath);
        if (skillFile) {
          skills.set(name, skillFile);
        }
      }
    }
  } catch (e) {
    void vscode.window.showErrorMessage(`skill-lsp: ${e instanceof Error ? e.message : String(e)}`);
    return;
  }
  if (skills.size === 0) {
    void vscode.window.showInformationMessage('skill-lsp: no skills indexed yet (try again once indexing has finished).');
    return;
  }
  const items = [...skills.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, file]) => ({ label: name, detail: file, file }));
  const chosen = await vscode.window.showQuickPick(items, {
    placeHolder: 'Open a skill (SKILL.md)',
    matchOnDetail: true,
  });
  if (chosen) {
    await openLocation(vscode.Uri.file(chosen.file), 0);
  }
}

// ---------------------------------------------------------------------------------------

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel('skill-lsp');
  context.subscriptions.push(output);
  // Edits to skill files on disk make the server re-index (didChangeWatchedFiles).
  skillFileWatcher = vscode.workspace.createFileSystemWatcher('**/{SKILL.md,references/*.md}');
  context.subscriptions.push(skillFileWatcher);

  context.subscriptions.push(
    vscode.commands.registerCommand('skillLsp.restartServer', async () => {
      output.appendLine('skill-lsp: restarting');
      await restart(context);
    }),
    vscode.commands.registerCommand('skillLsp.showOutput', () => output.show(true)),
    vscode.commands.registerCommand('skillLsp.searchSkills', searchSkills),
    vscode.commands.registerCommand('skillLsp.openSkill', openSkill),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(SECTION)) {
        output.appendLine(`skill-lsp: settings changed: ${JSON.stringify(serverSettings())}`);
      }
      if (e.affectsConfiguration(`${SECTION}.server.path`)) {
        output.appendLine('skill-lsp: skillLsp.server.path changed, restarting');
        void restart(context);
      }
    }),
  );

  await restart(context);
}

export async function deactivate(): Promise<void> {
  await stopClient();
}
