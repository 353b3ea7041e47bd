//! Hostile files fail fast with a clear error: zip bombs, entity expansion, sheets claiming
//! a million rows or columns, and huge cells.

mod common;
#[path = "support/workbook_part.rs"]
mod workbook_part;

use common::read;
use riskreg_sheets::{Limits, Options, ReadError};
use rust_xlsxwriter::Workbook;

fn small_workbook() -> Vec<u8> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "Ref").expect("write");
    sheet.write_string(0, 1, "Description").expect("write");
    sheet.write_string(1, 0, "R1").expect("write");
    sheet.write_string(1, 1, "A risk").expect("write");
    book.save_to_buffer().expect("workbook")
}

/// The small workbook with one part replaced (or added).
fn with_part(name: &str, body: &[u8]) -> Vec<u8> {
    workbook_part::with_part(&small_workbook(), name, body)
}

fn refused(bytes: &[u8], options: &Options) -> String {
    match read(bytes, options) {
        Err(e) => e.to_string(),
        Ok(p) => panic!("accepted: {} risks", p.risks.len()),
    }
}

#[test]
fn the_workbook_itself_is_fine() {
    let p = read(&small_workbook(), &Options::default()).expect("readable");
    assert_eq!(p.risks.len(), 0, "no scores, so a problem rather than a risk");
    assert!(!p.problems.is_empty());
}

#[test]
fn a_zip_bomb_is_refused_from_its_directory() {
    // 200 MB of zeros in a sheet, about 200 KB compressed: refused by its ratio before any
    // of it is inflated.
    let mut sheet = b"<?xml version=\"1.0\"?><worksheet>".to_vec();
    sheet.resize(200 * 1024 * 1024, b' ');
    let bomb = with_part("xl/worksheets/sheet1.xml", &sheet);
    assert!(bomb.len() < 2 * 1024 * 1024);
    let msg = refused(&bomb, &Options::default());
    assert!(msg.contains("likely zip bomb"), "{msg}");
    // And a part declaring more than the limit is refused whatever its ratio.
    let options = Options {
        limits: Limits {
            max_entry_bytes: 1024 * 1024,
            ..Limits::default()
        },
        ..Options::default()
    };
    let msg = refused(&bomb, &options);
    assert!(msg.contains("would inflate to 209715200 bytes"), "{msg}");
}

#[test]
fn entity_declarations_are_refused() {
    let laughs = br#"<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>&lol3;</t></si></sst>"#;
    let msg = refused(&with_part("xl/sharedStrings.xml", laughs), &Options::default());
    assert!(msg.contains("declares a DOCTYPE"), "{msg}");
}

#[test]
fn a_sheet_claiming_a_million_rows_is_refused_at_the_first_cell_past_the_limit() {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "Ref").expect("write");
    sheet
        .write_string(1_048_575, 0, "the last row Excel has")
        .expect("write");
    let bytes = book.save_to_buffer().expect("workbook");
    let e = read(&bytes, &Options::default()).expect_err("refused");
    assert!(
        matches!(
            e,
            ReadError::TooManyRows {
                row: 1_048_576,
                max: 250_000,
                ..
            }
        ),
        "{e}"
    );

    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 16_383, "XFD1").expect("write");
    let bytes = book.save_to_buffer().expect("workbook");
    let e = read(&bytes, &Options::default()).expect_err("refused");
    assert!(matches!(e, ReadError::TooManyColumns { column: 16_384, .. }), "{e}");
}

#[test]
fn a_csv_of_too_many_rows_or_columns_is_refused() {
    let options = Options {
        limits: Limits {
            max_rows: 1000,
            max_columns: 50,
            ..Limits::default()
        },
        ..Options::default()
    };
    let rows = "Ref,Description\r\n".to_owned() + &"R,x\r\n".repeat(2000);
    assert!(matches!(
        read(rows.as_bytes(), &options),
        Err(ReadError::TooManyRows { row: 1001, .. })
    ));
    let wide = vec!["x"; 60].join(",");
    assert!(matches!(
        read(wide.as_bytes(), &options),
        Err(ReadError::TooManyColumns { column: 60, .. })
    ));
}

#[test]
fn a_huge_cell_is_refused() {
    let csv = format!("Ref,Description\r\nR1,{}\r\n", "x".repeat(40_000));
    let e = read(csv.as_bytes(), &Options::default()).expect_err("refused");
    assert_eq!(
        e.to_string(),
        "sheet \"CSV\" cell B2 holds 40000 characters; at most 32767 are accepted"
    );

    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "Ref").expect("write");
    sheet.write_string(3, 2, "y".repeat(5000)).expect("write");
    let bytes = book.save_to_buffer().expect("workbook");
    let options = Options {
        limits: Limits {
            max_cell_chars: 1000,
            ..Limits::default()
        },
        ..Options::default()
    };
    let e = read(&bytes, &options).expect_err("refused");
    assert!(
        matches!(e, ReadError::CellTooLarge { ref cell, chars: 5000, .. } if cell == "C4"),
        "{e}"
    );
}

#[test]
fn a_file_over_the_size_limit_is_refused_unread() {
    let options = Options {
        limits: Limits {
            max_file_bytes: 10,
            ..Limits::default()
        },
        ..Options::default()
    };
    assert!(matches!(
        read(b"Ref,Description\r\n", &options),
        Err(ReadError::FileTooLarge { size: 17, max: 10 })
    ));
    assert!(matches!(
        read(b"PK\x03\x04 not really", &Options::default()),
        Err(ReadError::Malformed(_))
    ));
}

/// Sheets are read side by side; the error is still the one reading them in order meets
/// first, and the sheets come back in the order asked for.
#[test]
fn of_several_sheets_past_the_limit_the_first_is_named() {
    use riskreg_sheets::read::read_xlsx;

    let mut book = Workbook::new();
    for s in 0..6u32 {
        let sheet = book.add_worksheet();
        sheet.set_name(format!("S{s}")).expect("name");
        // The first sheet is the longest, so that other readers run ahead of it.
        let rows = match s {
            0 => 900,
            2 | 4 => 1_200,
            _ => 50 + s,
        };
        for r in 0..rows {
            sheet.write_number(r, 0, f64::from(r)).expect("write");
        }
    }
    let bytes = book.save_to_buffer().expect("workbook");
    let limits = Limits {
        max_rows: 1000,
        ..Limits::default()
    };
    for _ in 0..20 {
        let e = read_xlsx(&bytes, &[], &limits).expect_err("refused");
        assert!(
            matches!(&e, ReadError::TooManyRows { sheet, row: 1001, .. } if sheet == "S2"),
            "{e}"
        );
    }
    let wanted: Vec<String> = ["S5", "S0", "S3", "S1"].map(String::from).to_vec();
    let grids = read_xlsx(&bytes, &wanted, &limits).expect("readable");
    let got: Vec<(&str, usize)> = grids.iter().map(|g| (g.sheet.as_str(), g.rows.len())).collect();
    assert_eq!(got, [("S5", 55), ("S0", 900), ("S3", 53), ("S1", 51)]);
}
