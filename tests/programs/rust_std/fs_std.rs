//! fs_std: Rust's std::fs on WASI, as a Rust program uses it (Rust std computes its own rights for
//! path_open, unlike wasi-libc). Run with a writable preopen and its guest name as argv[1], and
//! optionally a read-only preopen's guest name as argv[2]. Prints one line per step; every
//! error is printed with its io::ErrorKind and raw errno, so the host test compares the whole output.
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};

fn step<T: std::fmt::Debug>(name: &str, r: std::io::Result<T>) -> Option<T> {
    match r {
        Ok(v) => {
            println!("{}: ok", name);
            Some(v)
        }
        Err(e) => {
            println!("{}: error {:?} errno {}", name, e.kind(), e.raw_os_error().unwrap_or(-1));
            None
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let root = &args[1];
    let p = |rel: &str| format!("{}/{}", root, rel);

    step("create_dir_all", fs::create_dir_all(p("tree/a/b")));
    step("write", fs::write(p("tree/a/b/hello.txt"), b"hello from rust std\n"));
    let text = step("read_to_string", fs::read_to_string(p("tree/a/b/hello.txt"))).unwrap_or_default();
    print!("  content: {}", text);
    if let Some(m) = step("metadata", fs::metadata(p("tree/a/b/hello.txt"))) {
        println!("  len {} file {} dir {}", m.len(), m.is_file(), m.is_dir());
    }

    // Append, seek, set_len through OpenOptions.
    if let Some(mut f) = step("open append", OpenOptions::new().append(true).open(p("tree/a/b/hello.txt"))) {
        step("append", f.write_all(b"appended\n"));
    }
    if let Some(mut f) = step("open read+write", OpenOptions::new().read(true).write(true).open(p("tree/a/b/hello.txt"))) {
        step("seek", f.seek(SeekFrom::Start(6)));
        let mut word = [0u8; 4];
        step("read_exact", f.read_exact(&mut word));
        println!("  word: {}", String::from_utf8_lossy(&word));
        step("set_len", f.set_len(5));
    }
    println!("  now: {:?}", fs::read_to_string(p("tree/a/b/hello.txt")).unwrap_or_default());

    // Copies, links, renames, listings.
    step("copy", fs::copy(p("tree/a/b/hello.txt"), p("tree/a/copy.txt")));
    step("hard_link", fs::hard_link(p("tree/a/copy.txt"), p("tree/a/linked.txt")));
    #[allow(deprecated)] // the stable way to make a symlink on WASI in Rust 1.63 (symlink_path is unstable)
    step("symlink", fs::soft_link("b/hello.txt", p("tree/a/sym")));
    if let Some(t) = step("read_link", fs::read_link(p("tree/a/sym"))) {
        println!("  target: {}", t.display());
    }
    println!("  through symlink: {:?}", fs::read_to_string(p("tree/a/sym")).unwrap_or_default());
    step("rename", fs::rename(p("tree/a/copy.txt"), p("moved.txt")));
    if let Some(rd) = step("read_dir", fs::read_dir(p("tree/a"))) {
        let mut names: Vec<String> = rd.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        println!("  entries: {}", names.join(" "));
    }

    // Errors as Rust sees them.
    step("open missing", File::open(p("tree/missing.txt")));
    step("create_dir existing", fs::create_dir(p("tree/a")));
    step("remove_dir non-empty", fs::remove_dir(p("tree/a")));
    step("escape with ..", File::open(format!("{}/../outside.txt", root)));
    step("absolute outside", File::open("/etc/passwd"));

    step("remove_dir_all", fs::remove_dir_all(p("tree")));
    step("remove_file", fs::remove_file(p("moved.txt")));
    step("tree gone", fs::metadata(p("tree")));

    if let Some(ro) = args.get(2) {
        let q = |rel: &str| format!("{}/{}", ro, rel);
        let text = step("ro read", fs::read_to_string(q("readme.txt"))).unwrap_or_default();
        print!("  content: {}", text);
        step("ro write", fs::write(q("readme.txt"), b"overwritten"));
        step("ro create", File::create(q("new.txt")));
        step("ro append", OpenOptions::new().append(true).open(q("readme.txt")));
        step("ro remove", fs::remove_file(q("readme.txt")));
        step("ro mkdir", fs::create_dir(q("d")));
    }
}
