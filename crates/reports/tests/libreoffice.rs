//! The DOCX paper opened by a second word processor: LibreOffice must convert it without
//! complaint and see the amendment as two tracked changes by the paper's author. Skipped,
//! saying so, where LibreOffice is not installed (`apt-get install libreoffice-writer-nogui`).

// A test that cannot unwrap has failed: panicking is how it says so.
#![allow(clippy::unwrap_used)]

mod common;

use std::process::Command;

use common::*;
use riskreg_reports::render_docx;

fn soffice() -> Option<&'static str> {
    ["libreoffice", "soffice"].into_iter().find(|bin| {
        Command::new(bin)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

#[test]
fn libreoffice_reads_the_revisions_and_converts_to_pdf() {
    let Some(bin) = soffice() else {
        eprintln!("SKIPPED: LibreOffice is not installed, so the DOCX was not cross-checked");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let docx = dir.path().join("paper.docx");
    std::fs::write(&docx, render_docx(&demo_like()).unwrap()).unwrap();
    // A profile of its own, so a desktop session or a parallel run cannot interfere.
    let profile = format!("-env:UserInstallation=file://{}/profile", dir.path().display());
    for format in ["fodt", "pdf"] {
        let out = Command::new(bin)
            .args([&profile, "--headless", "--convert-to", format, "--outdir"])
            .arg(dir.path())
            .arg(&docx)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let fodt = std::fs::read_to_string(dir.path().join("paper.fodt")).unwrap();
    assert_eq!(fodt.matches("<text:changed-region").count(), 2);
    assert_eq!(fodt.matches("<text:insertion>").count(), 1);
    assert_eq!(fodt.matches("<text:deletion>").count(), 1);
    assert_eq!(fodt.matches("<dc:creator>Kayla Reinhart</dc:creator>").count(), 2);
    let pdf = std::fs::read(dir.path().join("paper.pdf")).unwrap();
    let text = pdf_extract::extract_text_from_mem(&pdf).unwrap();
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("Appendix C - SEC Panel Risk and Issue Impact Classification"));
    assert!(flat.contains("Figure 1: SEC Panel Risks Matrix"));
}
