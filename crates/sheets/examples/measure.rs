//! Writes or reads a generated register of N risks, for timing the spreadsheet code with
//! `/usr/bin/time -v` (bench/sheets.sh):
//!
//! ```text
//! measure write xlsx 10000 out.xlsx    # export N risks
//! measure read out.xlsx                # parse, map and check them, as an import does
//! ```

use std::process::ExitCode;

use chrono::{NaiveDate, TimeZone, Utc};
use riskreg_domain::register::Revision;
use riskreg_domain::{
    Mitigation, MitigationState, Rag, RecordRef, Register, RegisterCode, RegisterFields, Risk, RiskFields, Settings,
};
use riskreg_sheets::{Export, Options, preview};

fn register(n: u32) -> Export {
    let code = RegisterCode::parse("BENCH").expect("code");
    let revision = Revision {
        version: 1,
        updated_at: Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).single().expect("time"),
        updated_by: "bench".into(),
    };
    let risks = (1..=n)
        .map(|i| {
            let mut f = RiskFields::new(
                format!("There is a risk that supplier {i} fails to deliver the release on time, leading to delays."),
                (i % 5 + 1) as u8,
                (i / 5 % 5 + 1) as u8,
                [Rag::Red, Rag::Amber, Rag::Green][i as usize % 3],
            );
            f.source_ref = Some(format!("R-{i:06}"));
            f.consequences = vec!["Delay to the programme".into(), "Reputational damage".into()];
            f.owner = Some(format!("Owner {}", i % 40));
            f.raised_on = NaiveDate::from_ymd_opt(2020, 1, 1).map(|d| d + chrono::Days::new(u64::from(i % 1500)));
            f.mitigations = (0..3)
                .map(|m| {
                    let mut m = Mitigation::new(
                        format!("Mitigation {m} for risk {i}: monthly review"),
                        MitigationState::Ongoing,
                    );
                    m.added_on = NaiveDate::from_ymd_opt(2020, 1, 1);
                    m
                })
                .collect();
            Risk {
                reference: RecordRef::new(code.clone(), i),
                fields: f,
                revision: revision.clone(),
            }
        })
        .collect();
    Export {
        settings: Settings::default(),
        registers: vec![Register {
            code,
            fields: RegisterFields::new("Benchmark"),
            revision,
        }],
        risks,
        issues: Vec::new(),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let strs: Vec<&str> = args.iter().map(String::as_str).collect();
    match strs.as_slice() {
        ["write", format, n, out] => {
            let n: u32 = n.parse().expect("a count");
            let e = register(n);
            let started = std::time::Instant::now();
            let bytes = match *format {
                "xlsx" => riskreg_sheets::write::xlsx(&e).expect("xlsx"),
                _ => riskreg_sheets::write::risks_csv(&e).expect("csv"),
            };
            std::fs::write(out, &bytes).expect("write");
            eprintln!(
                "wrote {n} risks as {format}: {} bytes in {:.2?}",
                bytes.len(),
                started.elapsed()
            );
        }
        ["read", file] => {
            let bytes = std::fs::read(file).expect("read");
            let started = std::time::Instant::now();
            let options = Options::default();
            let today = NaiveDate::from_ymd_opt(2024, 1, 1).expect("date");
            let p = preview(&bytes, &options, &Settings::default(), today).expect("readable");
            eprintln!(
                "read {} risks ({} problems) in {:.2?}",
                p.risks.len(),
                p.problems.len(),
                started.elapsed()
            );
        }
        _ => {
            eprintln!("usage: measure write xlsx|csv N FILE | measure read FILE");
            return ExitCode::from(2);
        }
    }
    ExitCode::SUCCESS
}
