//! hello_wasi: the smallest useful WASI program, written without any WASI crate.
//!
//! Built as a `cdylib` for `wasm32-unknown-unknown`, so the only imports are the
//! two functions declared by hand below. `_start` writes exactly the 11 bytes
//! `Hello WASI!` (no newline) to stdout with a single iovec, then calls
//! `proc_exit(0)`.
#![no_std]

/// WASI `ciovec`: a pointer and a length (8 bytes, align 4 on wasm32).
#[repr(C)]
pub struct Ciovec {
    buf: *const u8,
    buf_len: usize,
}

#[link(wasm_import_module = "wasi_snapshot_preview1")]
extern "C" {
    fn fd_write(fd: u32, iovs: *const Ciovec, iovs_len: usize, nwritten: *mut usize) -> i32;
    fn proc_exit(rval: u32) -> !;
}

#[no_mangle]
pub extern "C" fn _start() {
    let msg = b"Hello WASI!";
    let iov = Ciovec { buf: msg.as_ptr(), buf_len: msg.len() };
    let mut nwritten: usize = 0;
    unsafe {
        fd_write(1, &iov, 1, &mut nwritten);
        proc_exit(0)
    }
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}
