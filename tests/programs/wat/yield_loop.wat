;; yield_loop: _start calls sched_yield forever: a timeout stops it at a host call on every engine.
(module
  (import "wasi_snapshot_preview1" "sched_yield" (func $yield (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (loop $forever (drop (call $yield)) (br $forever))))
