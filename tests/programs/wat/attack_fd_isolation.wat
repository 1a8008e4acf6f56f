;; attack_fd_isolation: descriptor operations driven from Python, to show that
;; two instances never see each other's descriptors. fd 3 must be a preopened
;; directory. No _start. Exports:
;;   open_a() -> fd, or -errno: path_open(3, 0, "a.txt", CREAT, rights, rights, 0, 0x20)
;;             (rights = FD_READ|FD_SEEK|FD_TELL|FD_WRITE|FD_FILESTAT_GET = 0x200066)
;;   write_byte(fd, byte) -> errno: fd_write of that one byte
;;   fdstat(fd) -> errno: fd_fdstat_get(fd, 0x80)
;;   close(fd) -> errno: fd_close(fd)
(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_fdstat_get"
    (func $fd_fdstat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close"
    (func $fd_close (param i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0x200) "a.txt")
  ;; iovec at 0x40: buf=0x300, len=1
  (data (i32.const 0x40) "\00\03\00\00" "\01\00\00\00")
  (func (export "open_a") (result i32)
    (local $e i32)
    (local.set $e
      (call $path_open (i32.const 3) (i32.const 0) (i32.const 0x200) (i32.const 5)
        (i32.const 1) (i64.const 0x200066) (i64.const 0x200066) (i32.const 0) (i32.const 0x20)))
    (if (result i32) (local.get $e)
      (then (i32.sub (i32.const 0) (local.get $e)))
      (else (i32.load (i32.const 0x20)))))
  (func (export "write_byte") (param $fd i32) (param $byte i32) (result i32)
    (i32.store8 (i32.const 0x300) (local.get $byte))
    (call $fd_write (local.get $fd) (i32.const 0x40) (i32.const 1) (i32.const 0x48)))
  (func (export "fdstat") (param $fd i32) (result i32)
    (call $fd_fdstat_get (local.get $fd) (i32.const 0x80)))
  (func (export "close") (param $fd i32) (result i32)
    (call $fd_close (local.get $fd))))
