//! A real S3 server on 127.0.0.1 for the demo and for trying s5rs by hand: the same
//! in-process s3s + s3s-fs server the tests use (tests/support), run as a process.
//!
//! Prints `endpoint=http://127.0.0.1:PORT`, `access_key=…`, `secret_key=…` on stdout
//! (one per line, then flushes) and serves until killed.
//!
//! Usage: `cargo run --example s3_server`

#[path = "../tests/support/mod.rs"]
mod support;

use std::io::Write;

fn main() {
    let server = support::TestServer::start();
    let mut out = std::io::stdout();
    let _ = writeln!(out, "endpoint={}", server.endpoint);
    let _ = writeln!(out, "access_key={}", server.access_key);
    let _ = writeln!(out, "secret_key={}", server.secret_key);
    let _ = writeln!(out, "data_dir={}", server.root().display());
    let _ = out.flush();
    loop {
        std::thread::park();
    }
}
