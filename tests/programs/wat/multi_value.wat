;; multi_value: a host function with several results of different types, and
;; an export that passes them through (for Namespace.function's tuple results).
;;   app.triple(i32) -> (i32, i64, f64)
;;   export run(i32) -> (i32, i64, f64)   calls app.triple
(module
  (import "app" "triple" (func $triple (param i32) (result i32 i64 f64)))
  (memory (export "memory") 1)
  (func (export "run") (param i32) (result i32 i64 f64)
    (call $triple (local.get 0))))
