-- Headless Neovim test of the skill-lsp plugin against the real server (0.7 and 0.11+):
--   SKILL_LSP_BIN=... TEST_WS=... nvim --headless -u NONE -c 'luafile test/test.lua'
-- Exit code 0 = all checks passed, 1 = a check failed, 2 = error in the test itself.
local BIN = assert(os.getenv('SKILL_LSP_BIN'), 'SKILL_LSP_BIN')
local WS = assert(os.getenv('TEST_WS'), 'TEST_WS')
local PLUGIN = os.getenv('PLUGIN_DIR') or vim.fn.getcwd()
local failures = 0
local function check(ok, what, detail)
  io.stderr:write((ok and 'PASS ' or 'FAIL ') .. what .. ((not ok and detail) and (': ' .. tostring(detail)) or '') .. '\n')
  if not ok then failures = failures + 1 end
end

local function clients_for(bufnr)
  if vim.lsp.get_clients then return vim.lsp.get_clients({ bufnr = bufnr, name = 'skill_lsp' }) end
  return vim.tbl_filter(function(c) return c.name == 'skill_lsp' end, vim.lsp.buf_get_clients(bufnr))
end

local function float_text()
  for _, w in ipairs(vim.api.nvim_list_wins()) do
    if vim.api.nvim_win_get_config(w).relative ~= '' then
      return table.concat(vim.api.nvim_buf_get_lines(vim.api.nvim_win_get_buf(w), 0, -1, false), '\n'), w
    end
  end
end

local function find_line(bufnr, needle)
  for i, line in ipairs(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)) do
    local col = line:find(needle, 1, true)
    if col then return i, col end
  end
end

local function main()
  vim.opt.runtimepath:append(PLUGIN)
  vim.cmd('filetype on')
  local plugin = require('skill_lsp')
  check(plugin.setup({ cmd = { BIN, 'lsp' } }) == true, 'setup found the binary')

  vim.cmd('edit ' .. WS .. '/parallel_md.py')
  local bufnr = vim.api.nvim_get_current_buf()
  local client
  check(vim.wait(15000, function()
    client = clients_for(bufnr)[1]
    return client ~= nil and client.initialized == true
  end, 50), 'client attached and initialized')
  if not client then return end

  -- Hover over `read` in `atoms = read('start.traj')`, through the UI.
  local row, col = find_line(bufnr, "read('start")
  vim.api.nvim_win_set_cursor(0, { row, col })
  local text = ''
  check(vim.wait(20000, function()
    vim.lsp.buf.hover()
    vim.wait(300, function() return float_text() ~= nil end, 20)
    text = float_text() or ''
    return text:find('MPI', 1, true) ~= nil
  end, 200), 'hover float shows the MPI read pitfall', text)
  check(text:find('doc/ase/parallel.rst', 1, true) ~= nil, 'hover shows doc/ase/parallel.rst', text)
  local _, w = float_text()
  if w then vim.api.nvim_win_close(w, true) end

  -- Code actions on that call: opening the doc is offered, and running it opens a file.
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    range = { start = { line = row - 1, character = col - 1 }, ['end'] = { line = row - 1, character = col - 1 } },
    context = { diagnostics = {} },
  }
  local res = vim.lsp.buf_request_sync(bufnr, 'textDocument/codeAction', params, 10000) or {}
  local open_doc, titles = nil, {}
  for _, r in pairs(res) do
    for _, a in ipairs(r.result or {}) do
      table.insert(titles, a.title)
      if a.title:find('Open doc doc/ase/parallel.rst', 1, true) then open_doc = a end
    end
  end
  check(open_doc ~= nil, 'code actions include opening doc/ase/parallel.rst', table.concat(titles, ' | '))
  if open_doc and open_doc.command then
    vim.lsp.commands[open_doc.command.command](open_doc.command, {})
    local name = vim.api.nvim_buf_get_name(0)
    check(name:find('doc_map.md', 1, true) ~= nil, 'running it opens the doc map entry', name)
  end

  -- A diagnostic on Psi4(xc=...), and its quick fix.
  vim.cmd('edit ' .. WS .. '/psi4_settings.py')
  local pbuf = vim.api.nvim_get_current_buf()
  local xc_row = find_line(pbuf, 'Psi4(xc=')
  local diag
  check(vim.wait(20000, function()
    for _, d in ipairs(vim.diagnostic.get(pbuf)) do
      if d.lnum == xc_row - 1 and d.code == 'ase-psi4-interface' then diag = d return true end
    end
    return false
  end, 50), 'diagnostic on Psi4(xc=...)', vim.inspect(vim.diagnostic.get(pbuf)))
  if diag then
    check(diag.severity == vim.diagnostic.severity.INFO, 'default severity Information', diag.severity)
    -- Back to LSP form, as the client's own code-action request does (0.7 keeps only
    -- some fields in user_data.lsp).
    local kept = (diag.user_data and diag.user_data.lsp) or {}
    local lsp_diag = {
      range = { start = { line = diag.lnum, character = diag.col },
                ['end'] = { line = diag.end_lnum, character = diag.end_col } },
      message = diag.message, severity = diag.severity, code = diag.code, source = diag.source,
      data = kept.data,
    }
    local fix_params = {
      textDocument = { uri = vim.uri_from_bufnr(pbuf) },
      range = lsp_diag.range,
      context = { diagnostics = { lsp_diag } },
    }
    local fixes = vim.lsp.buf_request_sync(pbuf, 'textDocument/codeAction', fix_params, 10000) or {}
    local applied = false
    for _, r in pairs(fixes) do
      for _, a in ipairs(r.result or {}) do
        if a.kind == 'quickfix.skill-lsp.fix' and a.edit and not applied then
          vim.lsp.util.apply_workspace_edit(a.edit, client.offset_encoding or 'utf-16')
          applied = true
        end
      end
    end
    local line = vim.api.nvim_buf_get_lines(pbuf, xc_row - 1, xc_row, false)[1]
    check(applied and line:find("Psi4(method='b3lyp'", 1, true) ~= nil, 'quick fix applied', line)
  end

  -- The plugin's settings reach the server: severity becomes Error.
  plugin.set_settings({ diagnostics = { severity = 'error' } })
  check(vim.wait(20000, function()
    local ds = vim.diagnostic.get(pbuf)
    return #ds > 0 and ds[1].severity == vim.diagnostic.severity.ERROR
  end, 50), 'severity setting reached the server', vim.inspect(vim.tbl_map(function(d) return d.severity end, vim.diagnostic.get(pbuf))))

  -- Beyond Python: an input deck (given the plugin's `namelist` filetype, as the README
  -- says) and a Julia script attach, and hover shows the pitfall naming what is under
  -- the cursor.
  local function hover_in(file, filetype, needle, expected)
    vim.cmd('edit ' .. WS .. '/' .. file)
    local buf = vim.api.nvim_get_current_buf()
    if filetype then vim.bo[buf].filetype = filetype end
    check(vim.wait(15000, function()
      local c = clients_for(buf)[1]
      return c ~= nil and c.initialized == true
    end, 50), file .. ': client attached')
    local r, c = find_line(buf, needle)
    local win = vim.api.nvim_get_current_win()
    vim.api.nvim_win_set_cursor(win, { r, c })
    local shown = ''
    check(vim.wait(20000, function()
      -- A second hover() while a float is open would enter the float (and ask the
      -- float's buffer): close it and hover from the file's window each time.
      local _, open = float_text()
      if open then pcall(vim.api.nvim_win_close, open, true) end
      vim.api.nvim_set_current_win(win)
      vim.lsp.buf.hover()
      vim.wait(1000, function() return float_text() ~= nil end, 20)
      shown = float_text() or ''
      return shown:find(expected, 1, true) ~= nil
    end, 200), file .. ': hover shows the pitfall', shown)
    local _, win = float_text()
    if win then vim.api.nvim_win_close(win, true) end
  end
  hover_in('water.in', 'namelist', 'mixing.scheme', 'diverges for magnetic cells')
  hover_in('model.jl', nil, 'hamiltonian(', 'built lazily')

  client.stop()
  vim.wait(3000, function() return client.is_stopped() end, 50)
end

local ok, err = xpcall(main, debug.traceback)
if not ok then
  io.stderr:write('ERROR ' .. tostring(err) .. '\n')
  vim.cmd('cquit 2')
end
io.stderr:write(string.format('nvim %s: %d failed\n', tostring(vim.version and vim.version() and (vim.version().major .. '.' .. vim.version().minor)), failures))
if failures == 0 then vim.cmd('qall!') else vim.cmd('cquit 1') end
