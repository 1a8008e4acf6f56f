;; relay: relay(a, b, c) calls the import env.f (i32 i64 i32) -> i32 with its arguments and returns
;; f's result; before that it hands b to env.note (i64) -> (). For comparing the host-call paths of
;; an engine on the same values.
(module
  (import "env" "f" (func $f (param i32 i64 i32) (result i32)))
  (import "env" "note" (func $note (param i64)))
  (memory (export "memory") 1)
  (func (export "relay") (param i32 i64 i32) (result i32)
    (call $note (local.get 1))
    (call $f (local.get 0) (local.get 1) (local.get 2))))
