-- skill-lsp for Neovim: the pitfalls, doc paths and source entry points of scientific
-- packages' skills, on hover, as diagnostics and as code actions.
--
--   require('skill_lsp').setup({ settings = { diagnostics = { severity = 'warning' } } })
--
-- Uses vim.lsp.config + vim.lsp.enable on Neovim 0.11+, vim.lsp.start on 0.8-0.10 and
-- vim.lsp.start_client on 0.7.
local M = {}

M.defaults = {
  -- The server command; `skill-lsp` must be on PATH, or give the full path.
  cmd = { 'skill-lsp', 'lsp' },
  -- Input files: Neovim gives namelists `fortran`-less names no filetype; add yours
  -- (e.g. with vim.filetype.add({ extension = { hsd = 'hsd', inp = 'abaqus' } })).
  filetypes = { 'python', 'markdown', 'sh', 'c', 'cpp', 'julia', 'fortran', 'hsd', 'namelist', 'abaqus' },
  root_markers = { 'skills', '.claude', '.agents', 'pyproject.toml', 'setup.py', '.git' },
  -- The server's settings (section `skillLsp`), e.g.
  -- { skillPaths = {...}, pythonPath = '...', diagnostics = { enabled = true, severity = 'information' },
  --   hover = { pitfalls = true, notes = true, docs = true, sources = true, related = true } }
  settings = {},
}

M.config = vim.deepcopy(M.defaults)

local function notify(msg, level)
  vim.notify('skill-lsp: ' .. msg, level or vim.log.levels.INFO)
end

--- Whether the server binary can be run; the reason when it cannot.
function M.binary_status(cmd)
  local bin = (cmd or M.config.cmd)[1]
  if vim.fn.executable(bin) == 1 then
    return true, vim.fn.exepath(bin)
  end
  return false, ('`%s` not found. Install it with `cargo install --path .` in the skill-lsp repository, '
    .. 'or pass its full path: setup({ cmd = { "/path/to/skill-lsp", "lsp" } })'):format(bin)
end

local function root_dir(path)
  path = path ~= '' and path or vim.fn.getcwd()
  local dir = vim.fn.fnamemodify(path, ':p:h')
  local found = vim.fs and vim.fs.find and vim.fs.find(M.config.root_markers, { path = dir, upward = true })[1]
  if found then
    return vim.fn.fnamemodify(found, ':h')
  end
  return dir
end

local function client_config()
  return {
    name = 'skill_lsp',
    cmd = M.config.cmd,
    init_options = M.config.settings,
    settings = { skillLsp = M.config.settings },
  }
end

-- `skill-lsp.open` from code actions: opened here when the editor lacks showDocument.
function M.register_commands()
  vim.lsp.commands['skill-lsp.open'] = function(command)
    local arg = (command.arguments or {})[1] or {}
    if not arg.uri then
      return
    end
    vim.cmd('edit ' .. vim.fn.fnameescape(vim.uri_to_fname(arg.uri)))
    pcall(vim.api.nvim_win_set_cursor, 0, { (arg.line or 0) + 1, 0 })
  end
end

function M.setup(opts)
  M.config = vim.tbl_deep_extend('force', vim.deepcopy(M.defaults), opts or {})
  local ok, why = M.binary_status()
  if not ok then
    notify(why .. ' (see :checkhealth skill_lsp)', vim.log.levels.WARN)
    return false
  end
  M.register_commands()
  local base = client_config()
  if vim.lsp.config and vim.lsp.enable then
    vim.lsp.config('skill_lsp', {
      cmd = base.cmd,
      filetypes = M.config.filetypes,
      root_markers = M.config.root_markers,
      init_options = base.init_options,
      settings = base.settings,
    })
    vim.lsp.enable('skill_lsp')
    return true
  end
  local group = vim.api.nvim_create_augroup('skill_lsp', { clear = true })
  vim.api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = M.config.filetypes,
    callback = function(args)
      M.attach(args.buf)
    end,
  })
  return true
end

--- Starts (or reuses) the server for a buffer on Neovim < 0.11.
function M.attach(bufnr)
  local config = client_config()
  config.root_dir = root_dir(vim.api.nvim_buf_get_name(bufnr))
  if vim.lsp.start then
    return vim.lsp.start(config, { bufnr = bufnr })
  end
  -- Neovim 0.7: one client per root, attached by hand.
  M._clients = M._clients or {}
  local id = M._clients[config.root_dir]
  if not id or not vim.lsp.get_client_by_id(id) then
    id = vim.lsp.start_client(config)
    M._clients[config.root_dir] = id
  end
  if id then
    vim.lsp.buf_attach_client(bufnr, id)
  end
  return id
end

--- Changes settings live: merged into the current ones and sent to running servers.
function M.set_settings(settings)
  M.config.settings = vim.tbl_deep_extend('force', M.config.settings, settings or {})
  local clients = vim.lsp.get_clients and vim.lsp.get_clients({ name = 'skill_lsp' })
    or vim.tbl_filter(function(c) return c.name == 'skill_lsp' end, vim.lsp.get_active_clients())
  for _, client in ipairs(clients) do
    client.config.settings = { skillLsp = M.config.settings }
    client.notify('workspace/didChangeConfiguration', { settings = client.config.settings })
  end
end

return M
