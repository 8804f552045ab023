-- :checkhealth skill_lsp
local M = {}

function M.check()
  local health = vim.health or require('health')
  local start = health.start or health.report_start
  local ok = health.ok or health.report_ok
  local err = health.error or health.report_error
  local info = health.info or health.report_info
  start('skill-lsp')
  local plugin = require('skill_lsp')
  local found, detail = plugin.binary_status()
  if found then
    ok('server binary: ' .. detail)
    local version = vim.fn.system({ detail, '--version' })
    info('version: ' .. vim.trim(version))
  else
    err(detail)
  end
  if vim.lsp.config and vim.lsp.enable then
    info('Neovim 0.11+: configured with vim.lsp.config / vim.lsp.enable')
  else
    info('Neovim < 0.11: started per buffer with vim.lsp.start (or start_client on 0.7)')
  end
end

return M
