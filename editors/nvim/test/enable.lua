-- Neovim 0.11+: `vim.lsp.enable('skill_lsp')` with no setup() starts the server from
-- lsp/skill_lsp.lua and a hover answers.
--   SKILL_LSP_BIN=... TEST_WS=... nvim --headless -u NONE -c 'luafile test/enable.lua'
local BIN = assert(os.getenv('SKILL_LSP_BIN'), 'SKILL_LSP_BIN')
local WS = assert(os.getenv('TEST_WS'), 'TEST_WS')
local PLUGIN = os.getenv('PLUGIN_DIR') or vim.fn.getcwd()
local failures = 0
local function check(ok, what, detail)
  io.stderr:write((ok and 'PASS ' or 'FAIL ') .. what .. ((not ok and detail) and (': ' .. tostring(detail)) or '') .. '\n')
  if not ok then failures = failures + 1 end
end

local function main()
  vim.opt.runtimepath:append(PLUGIN)
  vim.cmd('filetype on')
  -- The user's own override of one field; the rest comes from lsp/skill_lsp.lua.
  vim.lsp.config('skill_lsp', { cmd = { BIN, 'lsp' } })
  vim.lsp.enable('skill_lsp')
  vim.cmd('edit ' .. WS .. '/parallel_md.py')
  local bufnr = vim.api.nvim_get_current_buf()
  local client
  check(vim.wait(15000, function()
    client = vim.lsp.get_clients({ bufnr = bufnr, name = 'skill_lsp' })[1]
    return client ~= nil and client.initialized == true
  end, 50), 'vim.lsp.enable started skill_lsp from lsp/skill_lsp.lua')
  if not client then return end
  local row
  for i, line in ipairs(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)) do
    local col = line:find("read('start", 1, true)
    if col then row = { i - 1, col - 1 } break end
  end
  local text = ''
  check(vim.wait(20000, function()
    local res = vim.lsp.buf_request_sync(bufnr, 'textDocument/hover', {
      textDocument = { uri = vim.uri_from_bufnr(bufnr) },
      position = { line = row[1], character = row[2] },
    }, 5000) or {}
    for _, r in pairs(res) do
      local contents = r.result and r.result.contents
      text = (type(contents) == 'table' and contents.value) or ''
    end
    return text:find('MPI', 1, true) ~= nil
  end, 200), 'hover answers through the enabled config', text)
  client.stop()
  vim.wait(3000, function() return client.is_stopped() end, 50)
end

local ok, err = xpcall(main, debug.traceback)
if not ok then
  io.stderr:write('ERROR ' .. tostring(err) .. '\n')
  vim.cmd('cquit 2')
end
io.stderr:write(string.format('nvim enable: %d failed\n', failures))
if failures == 0 then vim.cmd('qall!') else vim.cmd('cquit 1') end
