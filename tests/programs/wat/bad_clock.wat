;; bad_clock: clock_time_get(id=7, precision=0, time_ptr=0x10) on a clock id
;; that does not exist, then proc_exit(returned errno).
;; Expected: no output, exit code 28 (EINVAL).
(module
  (import "wasi_snapshot_preview1" "clock_time_get"
    (func $clock_time_get (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (call $proc_exit
      (call $clock_time_get (i32.const 7) (i64.const 0) (i32.const 0x10)))))
