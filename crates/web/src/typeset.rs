//! PDF papers typeset in a process of their own. typst's layout of a large paper takes
//! gigabytes (1.7 GB for 10,000 risks), and the allocator keeps what it has freed, so a
//! server that typesets in its own process stays that large for the rest of its life. A
//! child — the riskreg binary run as `riskreg typeset-pdf`, the paper's model as JSON in,
//! the PDF out — gives it all back when it exits.

use std::path::Path;
use std::process::Stdio;

use riskreg_reports::model::Paper;
use tokio::io::AsyncWriteExt;

/// The subcommand that makes the riskreg binary typeset a paper read from standard input.
pub const COMMAND: &str = "typeset-pdf";

/// Typesets `paper` as PDF with `program typeset-pdf`. Dropping the future (the client
/// went away) kills the child.
pub async fn pdf_in_child(program: &Path, paper: &Paper) -> Result<Vec<u8>, String> {
    let input = serde_json::to_vec(paper).map_err(|e| format!("writing the paper for the typesetter: {e}"))?;
    let mut child = tokio::process::Command::new(program)
        .arg(COMMAND)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("starting the typesetter {}: {e}", program.display()))?;
    let mut stdin = child.stdin.take().ok_or("the typesetter's input was not opened")?;
    // Fed while its output is read: a pipe holds only so much in either direction.
    let feeding = async move {
        let written = stdin.write_all(&input).await;
        drop(stdin);
        written
    };
    let (written, output) = tokio::join!(feeding, child.wait_with_output());
    let output = output.map_err(|e| format!("waiting for the typesetter: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "the typesetter failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    written.map_err(|e| format!("sending the paper to the typesetter: {e}"))?;
    Ok(output.stdout)
}
