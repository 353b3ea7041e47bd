//! A sheet as the importer sees it, whatever file it came from: its non-empty rows, each
//! with the number the spreadsheet shows and its cells' values.

use chrono::NaiveDate;

/// One cell's value. Formulas arrive as the value the spreadsheet last computed.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Empty,
    Text(String),
    Number(f64),
    Date(NaiveDate),
    Bool(bool),
    /// An error value such as `#DIV/0!`.
    Error(String),
}

impl Value {
    pub fn is_empty(&self) -> bool {
        match self {
            Self::Empty => true,
            Self::Text(t) => t.trim().is_empty(),
            _ => false,
        }
    }

    /// The value as a person reads it in the cell.
    pub fn display(&self) -> String {
        match self {
            Self::Empty => String::new(),
            Self::Text(t) => t.clone(),
            Self::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{}", *n as i64),
            Self::Number(n) => n.to_string(),
            Self::Date(d) => d.to_string(),
            Self::Bool(b) => b.to_string(),
            Self::Error(e) => e.clone(),
        }
    }
}

/// A row as the spreadsheet numbers it (from 1), with its cells from column A.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub number: u32,
    pub cells: Vec<Value>,
}

impl Row {
    pub fn get(&self, column: usize) -> &Value {
        self.cells.get(column).unwrap_or(&Value::Empty)
    }

    pub fn is_empty(&self) -> bool {
        self.cells.iter().all(Value::is_empty)
    }
}

/// A sheet's non-empty rows, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    pub sheet: String,
    pub rows: Vec<Row>,
}

/// `0 → A`, `26 → AA`: the column letters a spreadsheet shows.
pub fn column_letter(mut index: usize) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (index % 26) as u8);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    out.reverse();
    String::from_utf8_lossy(&out).into_owned()
}

/// `A → 0`, `AA → 26`, or `None` if `text` is not column letters.
pub fn column_index(text: &str) -> Option<usize> {
    if text.is_empty() || text.len() > 3 || !text.bytes().all(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    let mut n = 0usize;
    for b in text.bytes() {
        n = n * 26 + usize::from(b.to_ascii_uppercase() - b'A') + 1;
    }
    Some(n - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters_round_trip() {
        for (i, l) in [(0, "A"), (25, "Z"), (26, "AA"), (32, "AG"), (701, "ZZ"), (702, "AAA")] {
            assert_eq!(column_letter(i), l);
            assert_eq!(column_index(l), Some(i));
        }
        assert_eq!(column_index("ab"), Some(27));
        assert_eq!(column_index("Risk"), None);
    }
}
