;; oob_result_ptr: args_sizes_get(argc_ptr=0xFFFFFFFC, argv_buf_size_ptr=0x10).
;; The result pointer is out of bounds (4 bytes at 4 GiB - 4), so the host must
;; trap rather than write anywhere (in particular not at 65536-4 by wrapping).
;; If the host returns instead of trapping: proc_exit(errno).
(module
  (import "wasi_snapshot_preview1" "args_sizes_get"
    (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (call $proc_exit
      (call $args_sizes_get (i32.const 0xFFFFFFFC) (i32.const 0x10)))))
