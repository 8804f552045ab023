;;; test-helpers.el --- checks and waits shared by the headless eglot tests
(require 'cl-lib)

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

(provide 'test-helpers)
;;; test-helpers.el ends here
