;;; test.el --- headless eglot test of skill-lsp.el against the real server
;; SKILL_LSP_BIN=... TEST_WS=... emacs --batch -l test.el
;; Exit code: 0 all checks passed, 1 a check failed, 255 a Lisp error.
(require 'cl-lib)
(require 'python)
(require 'flymake)
(add-to-list 'load-path (file-name-directory (or load-file-name buffer-file-name)))
;; Input decks in conf-mode too, as editors/README.md shows (set before loading).
(setq skill-lsp-major-modes '(python-mode python-ts-mode markdown-mode gfm-mode conf-mode))
(require 'skill-lsp)
(require 'test-helpers)

(defvar my-ws (getenv "TEST_WS"))
(setq skill-lsp-server-program (getenv "SKILL_LSP_BIN"))
(add-hook 'python-mode-hook #'eglot-ensure)

(defun my-open (file)
  (find-file (expand-file-name file my-ws))
  (run-hooks 'post-command-hook)
  (my-wait (lambda () (eglot-current-server))))

(my-check (my-open "parallel_md.py") "eglot connected")
(let ((server (eglot-current-server)))
  (my-check (equal (plist-get (eglot--server-info server) :name) "skill-lsp") "serverInfo")
  ;; Hover over `read', through eglot's eldoc backend (the UI path).
  (goto-char (point-min))
  (search-forward "read('start")
  (goto-char (match-beginning 0))
  (let (text)
    (my-wait (lambda ()
               (eglot-hover-eldoc-function (lambda (info &rest _) (setq text (or info ""))))
               (my-wait (lambda () text) 3)
               (and text (string-match-p "MPI" text)))
             30)
    (my-check (and text (string-match-p "MPI" text)) "hover shows the MPI read pitfall" text)
    (my-check (and text (string-match-p "doc/ase/parallel.rst" text)) "hover shows doc/ase/parallel.rst" text))
  ;; Code actions: opening the doc is offered; running it opens the file.
  (let* ((actions (eglot-code-actions (point) (point)))
         (titles (mapcar (lambda (a) (plist-get a :title)) actions))
         (open (cl-find-if (lambda (a) (string-prefix-p "Open doc doc/ase/parallel.rst" (plist-get a :title))) actions)))
    (my-check open "code actions include opening doc/ase/parallel.rst" titles)
    (when open
      (let ((command (plist-get open :command)))
        (eglot-execute-command server (plist-get command :command) (plist-get command :arguments))
        (my-wait (lambda () (get-buffer "doc_map.md")) 10)
        (my-check (get-buffer "doc_map.md") "running it opens the doc map entry" (mapcar #'buffer-name (buffer-list)))))))

;; A diagnostic on Psi4(xc=...) and its quick fix.
(my-open "psi4_settings.py")
(let* ((diag (my-xc-diagnostic))
       (line (line-number-at-pos)))
  (my-check diag "diagnostic on Psi4(xc=...)" (mapcar #'flymake-diagnostic-text (flymake-diagnostics)))
  (when diag
    (my-check (eq (flymake-diagnostic-type diag) 'eglot-note) "default severity Information (eglot-note)" (flymake-diagnostic-type diag))
    (goto-char (flymake-diagnostic-beg diag))
    ;; eglot 1.9 filters kinds by equality, so ask for all and pick the quick fix.
    (let* ((actions (eglot-code-actions (flymake-diagnostic-beg diag) (flymake-diagnostic-end diag)))
           (fix (cl-find-if (lambda (a) (equal "quickfix.skill-lsp.fix" (plist-get a :kind))) actions)))
      (my-check fix "a quick fix is offered" (mapcar (lambda (a) (plist-get a :title)) actions))
      (when fix
        (eglot--apply-workspace-edit (plist-get fix :edit))))
    (my-check (save-excursion (goto-char (point-min)) (forward-line (1- line))
                              (looking-at-p ".*Psi4(method='b3lyp', basis='cc-pvdz')"))
              "quick fix applied" (buffer-string))))

;; The package's settings reach the server: severity becomes error.
(skill-lsp-set-settings '(:diagnostics (:severity "error")))
(my-check (my-wait (lambda () (cl-some (lambda (d) (eq (flymake-diagnostic-type d) 'eglot-error)) (flymake-diagnostics))))
          "severity setting reached the server" (mapcar #'flymake-diagnostic-type (flymake-diagnostics)))

;; An input deck of the workspace pack (editors/test/fixture.sh), in conf-mode: hover on
;; the keyword shows the pitfall naming it.
(find-file (expand-file-name "water.in" my-ws))
(conf-mode)
(eglot-ensure)
(run-hooks 'post-command-hook)
(my-check (my-wait (lambda () (eglot-current-server))) "eglot attached to the input deck")
(goto-char (point-min))
(search-forward "mixing.scheme")
(goto-char (match-beginning 0))
(let (text)
  (my-wait (lambda ()
             (eglot-hover-eldoc-function (lambda (info &rest _) (setq text (or info ""))))
             (my-wait (lambda () text) 3)
             (and text (string-match-p "diverges for magnetic cells" text)))
           30)
  (my-check (and text (string-match-p "diverges for magnetic cells" text))
            "hover in the input deck shows its pitfall" text))

(ignore-errors (eglot-shutdown (eglot-current-server)))
(message "emacs %s: %d failed" emacs-version my-failures)
(kill-emacs (if (zerop my-failures) 0 1))
