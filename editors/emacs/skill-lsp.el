;;; skill-lsp.el --- Scientific packages' skill pitfalls in eglot  -*- lexical-binding: t; -*-

;; Version: 0.1.0
;; Package-Requires: ((emacs "28.1") (eglot "1.9"))
;; Keywords: languages, tools
;; SPDX-License-Identifier: MIT OR Apache-2.0

;;; Commentary:

;; Registers the skill-lsp language server with eglot for Python and markdown (skill
;; files).  Hover shows the pitfalls, doc paths and source entry points of the skills
;; that apply to the code at point; diagnostics flag calls with an applicable pitfall;
;; code actions open docs and apply the fixes a pitfall implies.
;;
;;   (require 'skill-lsp)
;;   (add-hook 'python-mode-hook #'eglot-ensure)
;;
;; Works with the eglot of Emacs 28 (ELPA 1.9) and the built-in one of Emacs 29+.
;;
;; eglot runs one server per major mode, so registering skill-lsp for Python would take
;; the place of your Python server (pylsp, pyright, ruff...).  To keep yours, name it in
;; `skill-lsp-python-companion': both then run behind the `rass' multiplexer
;; (`pip install rassumfrassum'), yours first.  rass sends hover, completion and
;; definitions to the first server and merges diagnostics and code actions of both, so
;; your server keeps the hover and skill-lsp's pitfalls arrive as diagnostics (flymake)
;; and code actions:
;;
;;   (setq skill-lsp-python-companion '("pylsp"))

;;; Code:

(require 'eglot)
(require 'cl-lib)

(defgroup skill-lsp nil
  "The skill-lsp language server."
  :group 'eglot
  :prefix "skill-lsp-")

(defcustom skill-lsp-server-program "skill-lsp"
  "The skill-lsp binary: a name on `exec-path' or an absolute path."
  :type 'string)

(defcustom skill-lsp-settings nil
  "Server settings (section skillLsp), as a plist.
For example (:diagnostics (:severity \"warning\") :skillPaths [\"~/src/ase\"]).
Sent as initializationOptions and answered to workspace/configuration."
  :type '(plist))

(defcustom skill-lsp-major-modes '(python-mode python-ts-mode markdown-mode gfm-mode)
  "Major modes in which eglot starts skill-lsp."
  :type '(repeat symbol))

(defcustom skill-lsp-python-companion nil
  "Your own Python language server, to run beside skill-lsp in Python buffers.
A command and its arguments, e.g. (\"pylsp\") or (\"basedpyright-langserver\" \"--stdio\").
When set, Python buffers start `skill-lsp-rass-program' -- COMPANION -- skill-lsp lsp."
  :type '(repeat string))

(defcustom skill-lsp-rass-program "rass"
  "The rassumfrassum LSP multiplexer (`pip install rassumfrassum')."
  :type 'string)

(defclass skill-lsp-server (eglot-lsp-server) ()
  :documentation "The skill-lsp server: opens the files its code actions point at.")

(cl-defmethod eglot-execute-command ((server skill-lsp-server) command arguments)
  "Open `skill-lsp.open' targets here (eglot 1.9 has no window/showDocument)."
  (if (equal (format "%s" command) "skill-lsp.open")
      (let* ((arg (if (vectorp arguments) (aref arguments 0) (car arguments)))
             (file (eglot--uri-to-path (plist-get arg :uri))))
        (find-file file)
        (goto-char (point-min))
        (forward-line (or (plist-get arg :line) 0)))
    (cl-call-next-method server command arguments)))

(defun skill-lsp--contact (&rest _)
  "The eglot contact for skill-lsp, or a clear error when the binary is missing."
  (let ((program (executable-find skill-lsp-server-program)))
    (unless program
      (user-error "skill-lsp: `%s' not found; install it with `cargo install --path .' in the skill-lsp repository or set `skill-lsp-server-program'"
                  skill-lsp-server-program))
    (append
     (list 'skill-lsp-server)
     (if (and skill-lsp-python-companion (derived-mode-p 'python-mode 'python-ts-mode))
         (let ((rass (executable-find skill-lsp-rass-program)))
           (unless rass
             (user-error "skill-lsp: `%s' not found; `pip install rassumfrassum' or set `skill-lsp-rass-program'"
                         skill-lsp-rass-program))
           (append (list rass "--quiet-server" "--") skill-lsp-python-companion
                   (list "--" program "lsp")))
       (list program "lsp"))
     (list :initializationOptions (or skill-lsp-settings '(:_ nil))))))

(defun skill-lsp--workspace-configuration ()
  "The value of `eglot-workspace-configuration' for skill-lsp."
  (list :skillLsp (or skill-lsp-settings '(:_ nil))))

;;;###autoload
(defun skill-lsp-register ()
  "Add skill-lsp to `eglot-server-programs' for `skill-lsp-major-modes'."
  (add-to-list 'eglot-server-programs (cons skill-lsp-major-modes #'skill-lsp--contact))
  (setq-default eglot-workspace-configuration
                (cons (cons :skillLsp (or skill-lsp-settings '(:_ nil)))
                      (assq-delete-all :skillLsp (if (listp (default-value 'eglot-workspace-configuration))
                                                     (copy-sequence (default-value 'eglot-workspace-configuration))
                                                   nil)))))

;;;###autoload
(defun skill-lsp-set-settings (settings)
  "Replace the server SETTINGS (a plist) and send them to running servers."
  (setq skill-lsp-settings settings)
  (skill-lsp-register)
  (dolist (server (cl-loop for servers being the hash-values of eglot--servers-by-project
                           append servers))
    (when (jsonrpc-running-p server)
      (jsonrpc-notify server :workspace/didChangeConfiguration
                      (list :settings (skill-lsp--workspace-configuration))))))

(skill-lsp-register)

(provide 'skill-lsp)
;;; skill-lsp.el ends here
