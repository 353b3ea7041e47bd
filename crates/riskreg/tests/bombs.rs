//! Import bombs through the real `riskreg import`: a zip bomb, entity expansion, a sheet
//! claiming a million rows, and CSVs of too many rows, too many columns or a huge cell.
//! Each is refused with a message naming what is wrong, nothing is imported, and the
//! importing process stays under 256 MiB (its peak resident set, as the kernel reports it
//! in `/proc`). How long each took is printed, not asserted: this machine is shared
//! (SECURITY.md gives the figures).

mod support;
#[path = "../../sheets/tests/support/workbook_part.rs"]
mod workbook_part;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use support::{ok_as, riskreg_as};
use workbook_part::with_part;

/// The most memory an import may take, whatever it is given.
const MAX_RSS_KIB: u64 = 256 * 1024;

/// An XLSX riskreg wrote itself (the demo's registers), for bombs to be hidden in.
fn workbook(dir: &Path, db: &str) -> Vec<u8> {
    ok_as(db, "bombs", &["demo"]);
    let out = dir.join("demo.xlsx");
    ok_as(
        db,
        "bombs",
        &["export", "--format", "xlsx", "--out", out.to_str().expect("path")],
    );
    std::fs::read(out).expect("read the export")
}

/// Runs `command` to its end, watching its peak resident set (`VmHWM`, which starts
/// afresh when the process execs, so nothing of this test's own memory is counted): the
/// output and the peak in KiB, as last read before the process ended.
fn run_watched(mut command: Command) -> (Output, u64) {
    let child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run riskreg");
    let status = format!("/proc/{}/status", child.id());
    let peak = Arc::new(AtomicU64::new(0));
    let watcher = {
        let peak = Arc::clone(&peak);
        std::thread::spawn(move || {
            // A process that has exited keeps its status file, without its memory lines,
            // until it is waited for.
            while let Some(kib) = std::fs::read_to_string(&status).ok().and_then(|s| vm_hwm_kib(&s)) {
                peak.fetch_max(kib, Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(1));
            }
        })
    };
    let output = child.wait_with_output().expect("wait for riskreg");
    watcher.join().expect("watcher");
    (output, peak.load(Ordering::Relaxed))
}

fn vm_hwm_kib(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[test]
fn import_bombs_are_refused_in_bounded_memory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let source = format!("sqlite:{}", dir.path().join("source.db").display());
    let book = workbook(dir.path(), &source);

    let mut sheet = b"<?xml version=\"1.0\"?><worksheet>".to_vec();
    sheet.resize(200 * 1024 * 1024, b' ');
    let zip_bomb = with_part(&book, "xl/worksheets/sheet2.xml", &sheet);
    drop(sheet);
    let laughs = br#"<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>&lol3;</t></si></sst>"#;
    let entities = with_part(&book, "xl/sharedStrings.xml", laughs);
    let million_rows = with_part(
        &book,
        "xl/worksheets/sheet2.xml",
        br#"<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Ref</t></is></c></row><row r="1048576"><c r="A1048576" t="inlineStr"><is><t>the last row</t></is></c></row></sheetData></worksheet>"#,
    );
    let many_rows = "Ref,Description,Impact,Likelihood\r\n".to_owned() + &"R,A risk,3,3\r\n".repeat(300_000);
    let many_columns = vec!["x"; 20_000].join(",") + "\r\n";
    let huge_cell = format!("Ref,Description\r\nR1,{}\r\n", "x".repeat(100_000));

    let bombs: [(&str, &str, Vec<u8>, &str); 6] = [
        ("zip bomb (200 MB sheet)", "bomb.xlsx", zip_bomb, "zip bomb"),
        ("entity expansion", "laughs.xlsx", entities, "DOCTYPE"),
        ("a sheet claiming 1,048,576 rows", "rows.xlsx", million_rows, "rows"),
        ("a CSV of 300,000 rows", "rows.csv", many_rows.into_bytes(), "rows"),
        (
            "a CSV of 20,000 columns",
            "columns.csv",
            many_columns.into_bytes(),
            "columns",
        ),
        (
            "a CSV cell of 100,000 characters",
            "cell.csv",
            huge_cell.into_bytes(),
            "characters",
        ),
    ];
    let target = format!("sqlite:{}", dir.path().join("target.db").display());
    ok_as(&target, "bombs", &["init"]);
    // A CSV names no register of its own: it goes into one that exists.
    ok_as(&target, "bombs", &["register", "add", "PANEL", "--name", "Panel"]);
    for (what, name, bytes, says) in bombs {
        let path = dir.path().join(name);
        std::fs::write(&path, &bytes).expect("write the bomb");
        let started = Instant::now();
        let mut import = riskreg_as(&target, "bombs");
        import.args(["import", path.to_str().expect("path")]);
        if name.ends_with(".csv") {
            import.args(["--register", "PANEL"]);
        }
        let (out, peak) = run_watched(import);
        let took = started.elapsed();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{what}: accepted\n{stderr}");
        assert!(
            stderr.contains(says),
            "{what}: the refusal should mention {says:?}:\n{stderr}"
        );
        println!(
            "{what}: {} bytes on disk, refused in {:.2} s, peak RSS {:.1} MiB",
            bytes.len(),
            took.as_secs_f64(),
            peak as f64 / 1024.0
        );
        assert!(peak > 0, "{what}: the process's memory was never read");
        assert!(peak < MAX_RSS_KIB, "{what}: the import reached {peak} KiB");
    }
    let risks = ok_as(&target, "bombs", &["risk", "list", "--all", "--format", "json"]);
    assert_eq!(risks.trim(), "[]", "nothing was imported");
}
