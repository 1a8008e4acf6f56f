;; tick: writes "tick\n", calls the host import app.wait() (which a test makes block), then
;; writes "tock\n": output that must reach an async caller while the guest is still running.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "app" "wait" (func $wait))
  (memory (export "memory") 1)
  (data (i32.const 64) "tick\n")
  (data (i32.const 80) "tock\n")
  (func $say (param $text i32)
    (i32.store (i32.const 16) (local.get $text))
    (i32.store (i32.const 20) (i32.const 5))
    (drop (call $fd_write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 32))))
  (func (export "_start")
    (call $say (i32.const 64))
    (call $wait)
    (call $say (i32.const 80))))
