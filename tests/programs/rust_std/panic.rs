// panic: prints a line on stdout, then panics; on wasm32-wasi a panic prints its message on
// stderr and aborts with a wasm trap (unreachable). The message must reach the host's Trap.
fn main() {
    println!("working");
    let items: Vec<u32> = std::env::args().skip(1).map(|a| a.len() as u32).collect();
    panic!("the plugin failed after {} arguments", items.len());
}
