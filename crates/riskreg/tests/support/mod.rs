//! What the tests that run the real `riskreg` binary share: running a command, and a
//! `riskreg serve` process that can be waited for and killed.

#![allow(dead_code)] // Each test binary uses a different part.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// A whole number from the environment, if set; a clear panic if it is not a number.
pub fn env_number(name: &str) -> Option<usize> {
    let value = std::env::var(name).ok()?;
    Some(
        value
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name} must be a whole number, not {value:?}")),
    )
}

/// The `riskreg` binary on `db`, with the actor named `actor`.
pub fn riskreg_as(db: &str, actor: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_riskreg"));
    c.env_remove("RISKREG_DB")
        .env("RISKREG_ACTOR", actor)
        .arg("--db")
        .arg(db);
    c
}

/// Runs `riskreg ARGS` on `db` and returns its output, failing the test if it fails.
pub fn ok_as(db: &str, actor: &str, args: &[&str]) -> String {
    let mut command = riskreg_as(db, actor);
    command.args(args);
    succeed(command, &args)
}

/// Runs a prepared `riskreg` command and returns its output, failing the test (naming
/// `args`) if it fails.
pub fn succeed(mut command: Command, args: &dyn std::fmt::Debug) -> String {
    let out = command.output().expect("run riskreg");
    assert!(
        out.status.success(),
        "riskreg {args:?}: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

/// A running `riskreg serve`; killed with SIGKILL when dropped, if still alive.
pub struct Server {
    pub child: Child,
}

impl Server {
    pub fn spawn(db: &str, actor: &str) -> Self {
        let child = riskreg_as(db, actor)
            .args(["serve", "--addr", "127.0.0.1:0"])
            .env("RISKREG_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn riskreg serve");
        Self { child }
    }

    /// Waits for the line naming the address; the server answers from then on.
    pub fn ready(&mut self) -> String {
        let stderr = self.child.stderr.take().expect("stderr");
        let mut lines = BufReader::new(stderr).lines();
        let mut banner = Vec::new();
        for line in lines.by_ref() {
            let line = line.expect("line");
            if let Some(rest) = line.strip_prefix("riskreg serving on ") {
                let base = rest.split_whitespace().next().expect("address").to_owned();
                // Keep draining, so the server never blocks on a full pipe.
                std::thread::spawn(move || for _ in lines {});
                return base;
            }
            banner.push(line);
        }
        let status = self.child.wait();
        panic!("riskreg serve ended before it was ready ({status:?}): {banner:?}");
    }

    /// SIGKILL: no shutdown, no flush, no chance to finish a transaction.
    pub fn kill(mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("wait");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
