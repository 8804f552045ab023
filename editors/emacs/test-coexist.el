;;; test-coexist.el --- skill-lsp beside the user's Python server (pylsp) in eglot
;; SKILL_LSP_BIN=... TEST_WS=... COEXIST_BIN=<venv bin with rass, pylsp> emacs --batch -l test-coexist.el
;; eglot runs one server per mode: with `skill-lsp-python-companion', rass runs pylsp
;; and skill-lsp together. The user's server answers the hover; skill-lsp's pitfall
;; arrives as a diagnostic in the same buffer.
(require 'cl-lib)
(require 'python)
(require 'flymake)
(add-to-list 'load-path (file-name-directory (or load-file-name buffer-file-name)))
(require 'skill-lsp)
(require 'test-helpers)

(defvar my-ws (getenv "TEST_WS"))
(defvar my-bin (getenv "COEXIST_BIN"))
(setq skill-lsp-server-program (getenv "SKILL_LSP_BIN")
      skill-lsp-rass-program (expand-file-name "rass" my-bin)
      skill-lsp-python-companion (list (expand-file-name "pylsp" my-bin)))
(add-hook 'python-mode-hook #'eglot-ensure)
(find-file (expand-file-name "parallel_md.py" my-ws))
(run-hooks 'post-command-hook)
(my-check (my-wait (lambda () (eglot-current-server)) 30) "eglot connected through rass")
(let ((name (plist-get (eglot--server-info (eglot-current-server)) :name)))
  (my-check (and name (string-match-p "pylsp" name) (string-match-p "skill-lsp" name))
            "both servers behind one connection" name))

;; The user's server answers the hover: pylsp's docstring of `os' (`import os').
(goto-char (point-min))
(search-forward "import os")
(goto-char (- (point) 1))
(let (text)
  (my-wait (lambda ()
             (setq text nil)
             (eglot-hover-eldoc-function (lambda (info &rest _) (setq text (or info ""))))
             (my-wait (lambda () text) 3)
             (and text (string-match-p "OS routines" text)))
           40)
  (my-check (and text (string-match-p "OS routines" text)) "pylsp's hover on `os'" (or text "no hover")))

(find-file (expand-file-name "psi4_settings.py" my-ws))
(run-hooks 'post-command-hook)
(my-wait (lambda () (eglot-current-server)) 30)

;; skill-lsp's pitfall, as a diagnostic on Psi4(xc=...) in the same buffer.
(my-check (my-xc-diagnostic) "skill-lsp's diagnostic on Psi4(xc=...)"
          (mapcar #'flymake-diagnostic-text (flymake-diagnostics)))

(ignore-errors (eglot-shutdown (eglot-current-server)))
(message "emacs %s (coexist): %d failed" emacs-version my-failures)
(kill-emacs (if (zerop my-failures) 0 1))
