;; fd_io: the exports write(fd, iovs, iovs_len, out) and read(fd, iovs, iovs_len, out) call fd_write
;; and fd_read with exactly the arguments given and return their errno; grow(pages) grows memory.
;; For comparing the native fast paths of fd_write/fd_read with the Python functions on the same
;; (hostile or ordinary) arguments, on each engine.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "write") (param i32 i32 i32 i32) (result i32)
    (call $fd_write (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
  (func (export "read") (param i32 i32 i32 i32) (result i32)
    (call $fd_read (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
  (func (export "grow") (param i32) (result i32)
    (memory.grow (local.get 0))))
