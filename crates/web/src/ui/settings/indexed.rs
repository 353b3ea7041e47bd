//! Forms laid out as tables, whose inputs are named the way the domain names the fields
//! (`bands[2].min`, `classification.categories[0].cells[3]`), so that a rule the domain
//! reports is shown beside the input that broke it. Rows removed before saving shift the
//! domain's indices; [`Renumber`] maps them back to the rows of the form.

use std::collections::{BTreeMap, HashMap};

use riskreg_domain::ValidationErrors;

/// A posted form's fields by name (the last value wins, as for a single input).
#[derive(Debug, Clone, Default)]
pub struct Posted(HashMap<String, String>);

impl Posted {
    pub fn new(pairs: Vec<(String, String)>) -> Self {
        Self(pairs.into_iter().collect())
    }

    /// The field's value, or blank when the form did not send it.
    pub fn get(&self, name: &str) -> &str {
        self.0.get(name).map(String::as_str).unwrap_or("")
    }

    pub fn has(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }

    /// Whether a checkbox was ticked.
    pub fn checked(&self, name: &str) -> bool {
        !self.get(name).is_empty()
    }

    /// How many rows `{list}[0]`, `{list}[1]`, … the form carries, judged by the field
    /// every row has (`{list}[i].{probe}`).
    pub fn rows(&self, list: &str, probe: &str) -> usize {
        (0..).take_while(|i| self.has(&format!("{list}[{i}].{probe}"))).count()
    }
}

/// Messages by the exact field they name, for showing each beside its input.
#[derive(Debug, Clone, Default)]
pub struct RowErrors(BTreeMap<String, Vec<String>>);

impl RowErrors {
    pub fn add(&mut self, field: &str, rule: &str) {
        self.0
            .entry(field.to_owned())
            .or_default()
            .push(format!("{field} {rule}"));
    }

    /// The domain's errors, their fields renumbered to the form's rows.
    pub fn from_validation(errors: &ValidationErrors, renumber: &Renumber) -> Self {
        let mut out = Self::default();
        for e in &errors.0 {
            out.add(&renumber.field(&e.field), &e.rule);
        }
        out
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn has(&self, field: &str) -> bool {
        self.0.contains_key(field)
    }

    /// The messages for exactly `field`, joined; empty when it has none.
    pub fn of(&self, field: &str) -> String {
        self.0.get(field).map(|m| m.join("; ")).unwrap_or_default()
    }

    /// Every message, for the summary at the top of the form.
    pub fn all(&self) -> Vec<String> {
        self.0.values().flatten().cloned().collect()
    }
}

/// For each list the form edits, the form row that each saved item came from.
#[derive(Debug, Clone, Default)]
pub struct Renumber(Vec<(String, Vec<usize>)>);

impl Renumber {
    /// Records that saved item `k` of `list` is the form's row `rows[k]`.
    pub fn list(&mut self, list: &str, rows: Vec<usize>) {
        self.0.push((list.to_owned(), rows));
    }

    /// `field` as the form names it: `bands[1].colour` is `bands[2].colour` when the
    /// form's row 1 was removed.
    pub fn field(&self, field: &str) -> String {
        for (list, rows) in &self.0 {
            let Some(rest) = field.strip_prefix(list.as_str()).and_then(|r| r.strip_prefix('[')) else {
                continue;
            };
            let Some((index, tail)) = rest.split_once(']') else {
                continue;
            };
            if let Some(row) = index.parse::<usize>().ok().and_then(|k| rows.get(k)) {
                return format!("{list}[{row}]{tail}");
            }
        }
        field.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_renumbered_to_the_rows_of_the_form() {
        let mut r = Renumber::default();
        r.list("bands", vec![0, 2, 3]);
        r.list("classification.categories", vec![1]);
        assert_eq!(r.field("bands[1].colour"), "bands[2].colour");
        assert_eq!(r.field("bands[2]"), "bands[3]");
        assert_eq!(r.field("bands"), "bands");
        assert_eq!(
            r.field("classification.categories[0].cells[4]"),
            "classification.categories[1].cells[4]"
        );
        assert_eq!(r.field("impact_scale[0].label"), "impact_scale[0].label");
    }

    #[test]
    fn rows_are_counted_until_the_first_gap() {
        let p = Posted::new(vec![
            ("bands[0].name".into(), "Low".into()),
            ("bands[1].name".into(), "".into()),
            ("bands[3].name".into(), "Lost".into()),
        ]);
        assert_eq!(p.rows("bands", "name"), 2);
        assert!(!p.checked("bands[1].name"));
    }
}
