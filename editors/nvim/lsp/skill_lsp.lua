-- skill-lsp for Neovim 0.11+ without setup(): with editors/nvim on 'runtimepath'
-- (a plugin manager does that), `vim.lsp.enable('skill_lsp')` starts it for the
-- filetypes below, beside the user's own servers. Override any field with
-- vim.lsp.config('skill_lsp', { settings = { skillLsp = { ... } } }).
-- The same defaults as require('skill_lsp').setup() (lua/skill_lsp/init.lua).
local defaults = require('skill_lsp').defaults

return {
  cmd = defaults.cmd,
  filetypes = defaults.filetypes,
  root_markers = defaults.root_markers,
  init_options = {},
  settings = { skillLsp = {} },
  on_attach = function()
    -- Code actions' `skill-lsp.open` command, for clients without showDocument.
    require('skill_lsp').register_commands()
  end,
}
