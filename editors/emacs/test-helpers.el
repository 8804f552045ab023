;;; test-helpers.el --- checks and waits shared by the headless eglot tests
(require 'cl-lib)
(require 'flymake)

(defvar my-failures 0)

(defun my-check (ok what &optional detail)
  "Print PASS or FAIL for WHAT; count a failure, with DETAIL."
  (message "%s %s%s" (if ok "PASS" "FAIL") what (if (and detail (not ok)) (format ": %S" detail) ""))
  (unless ok (setq my-failures (1+ my-failures))))

(defun my-wait (pred &optional secs)
  "Wait until PRED holds or SECS (default 20) pass, serving process output."
  (let ((deadline (+ (float-time) (or secs 20))))
    (while (and (not (funcall pred)) (< (float-time) deadline))
      (accept-process-output nil 0.05))
    (funcall pred)))

(defun my-xc-diagnostic ()
  "Wait for skill-lsp's diagnostic on the `Psi4(xc=' line of this buffer; return it."
  (flymake-start)
  (goto-char (point-min))
  (search-forward "Psi4(xc=")
  (let ((line (line-number-at-pos)) diag)
    (my-wait (lambda ()
               (setq diag (cl-find-if (lambda (d) (and (string-match-p "xc" (flymake-diagnostic-text d))
                                                        (= line (line-number-at-pos (flymake-diagnostic-beg d)))))
                                      (flymake-diagnostics)))))
    diag))

(provide 'test-helpers)
;;; test-helpers.el ends here
