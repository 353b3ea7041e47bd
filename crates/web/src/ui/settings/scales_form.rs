//! The scales-and-bands form: its rows as typed (so a refused form comes back exactly as it
//! was sent), built from the settings or from a posted form, and turned into the settings
//! it asks for. Each table ends with a blank row that adds a level or a band; any row but
//! the blank one can be removed.

use riskreg_domain::{Band, Classification, ClassificationCategory, ScaleLevel, Settings};

use super::indexed::{Posted, Renumber, RowErrors};

/// The colour offered for a new band.
const NEW_BAND_COLOUR: &str = "#9e9e9e";

/// One level of a scale, as the form holds it.
#[derive(Debug, Clone)]
pub struct ScaleRow {
    /// The level's number, or blank on the row that adds a level.
    pub level: String,
    /// The prefix of the row's field names (`impact_scale[2]`) and of its input ids.
    pub name: String,
    pub id: String,
    pub label: String,
    /// `{name}.label`, under which its errors are filed.
    pub label_field: String,
    pub remove: bool,
    pub new: bool,
}

impl ScaleRow {
    fn new(list: &str, i: usize, label: String, remove: bool, new: bool) -> Self {
        let name = format!("{list}[{i}]");
        Self {
            level: if new { String::new() } else { (i + 1).to_string() },
            label_field: format!("{name}.label"),
            id: format!("{list}-{i}"),
            name,
            label,
            remove,
            new,
        }
    }
}

/// One severity band, as the form holds it.
#[derive(Debug, Clone)]
pub struct BandRow {
    /// The prefix of the row's field names (`bands[1]`), under which a range error is
    /// filed, and of its input ids.
    pub name: String,
    pub id: String,
    pub band: String,
    pub min: String,
    pub max: String,
    pub colour: String,
    pub name_field: String,
    pub min_field: String,
    pub max_field: String,
    pub colour_field: String,
    pub remove: bool,
    pub new: bool,
}

impl BandRow {
    fn new(i: usize, band: String, min: String, max: String, colour: String, remove: bool, new: bool) -> Self {
        let name = format!("bands[{i}]");
        Self {
            id: format!("bands-{i}"),
            name_field: format!("{name}.name"),
            min_field: format!("{name}.min"),
            max_field: format!("{name}.max"),
            colour_field: format!("{name}.colour"),
            name,
            band,
            min,
            max,
            colour,
            remove,
            new,
        }
    }

    fn is_blank(&self) -> bool {
        self.band.trim().is_empty() && self.min.trim().is_empty() && self.max.trim().is_empty()
    }
}

/// One scale's table in the form.
#[derive(Debug)]
pub struct ScaleTable<'a> {
    pub title: &'static str,
    /// What one level is called in labels: "impact level".
    pub noun: &'static str,
    /// The list's field name, under which a rule about the whole scale is filed.
    pub list: &'static str,
    pub rows: &'a [ScaleRow],
}

#[derive(Debug, Clone)]
pub struct ScalesForm {
    pub impact: Vec<ScaleRow>,
    pub likelihood: Vec<ScaleRow>,
    pub bands: Vec<BandRow>,
}

fn scale_rows(list: &str, scale: &[ScaleLevel]) -> Vec<ScaleRow> {
    let mut rows: Vec<ScaleRow> = scale
        .iter()
        .enumerate()
        .map(|(i, l)| ScaleRow::new(list, i, l.label.clone(), false, false))
        .collect();
    rows.push(ScaleRow::new(list, scale.len(), String::new(), false, true));
    rows
}

fn posted_scale(p: &Posted, list: &str) -> Vec<ScaleRow> {
    (0..p.rows(list, "label"))
        .map(|i| {
            let name = format!("{list}[{i}]");
            ScaleRow::new(
                list,
                i,
                p.get(&format!("{name}.label")).to_owned(),
                p.checked(&format!("{name}.remove")),
                p.checked(&format!("{name}.new")),
            )
        })
        .collect()
}

/// The kept levels, numbered 1..N in order, and the form row each came from.
fn scale_of(rows: &[ScaleRow]) -> (Vec<ScaleLevel>, Vec<usize>) {
    let kept: Vec<usize> = rows
        .iter()
        .enumerate()
        .filter(|(_, r)| !(r.remove || (r.new && r.label.trim().is_empty())))
        .map(|(i, _)| i)
        .collect();
    let levels = kept
        .iter()
        .enumerate()
        .map(|(k, &i)| ScaleLevel {
            level: u8::try_from(k + 1).unwrap_or(u8::MAX),
            label: rows[i].label.trim().to_owned(),
        })
        .collect();
    (levels, kept)
}

fn severity(errors: &mut RowErrors, field: &str, value: &str) -> u16 {
    match value.trim().parse::<u16>() {
        Ok(n) => n,
        Err(_) => {
            errors.add(field, "must be a whole number (a severity, impact × likelihood)");
            0
        }
    }
}

impl ScalesForm {
    /// The form for `settings`, with a blank row to add a level or a band.
    pub fn of(settings: &Settings) -> Self {
        let mut bands: Vec<BandRow> = settings
            .bands
            .iter()
            .enumerate()
            .map(|(i, b)| {
                BandRow::new(
                    i,
                    b.name.clone(),
                    b.min.to_string(),
                    b.max.to_string(),
                    b.colour.clone(),
                    false,
                    false,
                )
            })
            .collect();
        bands.push(BandRow::new(
            settings.bands.len(),
            String::new(),
            String::new(),
            String::new(),
            NEW_BAND_COLOUR.to_owned(),
            false,
            true,
        ));
        Self {
            impact: scale_rows("impact_scale", &settings.impact_scale),
            likelihood: scale_rows("likelihood_scale", &settings.likelihood_scale),
            bands,
        }
    }

    /// The two scales' tables, impact first.
    pub fn tables(&self) -> Vec<ScaleTable<'_>> {
        vec![
            ScaleTable {
                title: "Impact scale",
                noun: "impact level",
                list: "impact_scale",
                rows: &self.impact,
            },
            ScaleTable {
                title: "Likelihood scale",
                noun: "likelihood level",
                list: "likelihood_scale",
                rows: &self.likelihood,
            },
        ]
    }

    /// The form as it was posted.
    pub fn posted(p: &Posted) -> Self {
        let bands = (0..p.rows("bands", "name"))
            .map(|i| {
                let f = |field: &str| p.get(&format!("bands[{i}].{field}")).to_owned();
                BandRow::new(
                    i,
                    f("name"),
                    f("min"),
                    f("max"),
                    f("colour"),
                    p.checked(&format!("bands[{i}].remove")),
                    p.checked(&format!("bands[{i}].new")),
                )
            })
            .collect();
        Self {
            impact: posted_scale(p, "impact_scale"),
            likelihood: posted_scale(p, "likelihood_scale"),
            bands,
        }
    }

    /// The settings the form asks for, keeping `current`'s impact classification (a kept
    /// impact level keeps its descriptors; a new one has none), and how the saved lists'
    /// items map to the form's rows. Fields that cannot be read are errors here; the
    /// settings' own rules are checked when they are saved.
    pub fn settings(&self, current: &Settings) -> Result<(Settings, Renumber), RowErrors> {
        let mut errors = RowErrors::default();
        let (impact_scale, impact_rows) = scale_of(&self.impact);
        let (likelihood_scale, likelihood_rows) = scale_of(&self.likelihood);
        let mut bands = Vec::new();
        let mut band_rows = Vec::new();
        for (i, r) in self.bands.iter().enumerate() {
            if r.remove || (r.new && r.is_blank()) {
                continue;
            }
            bands.push(Band {
                name: r.band.trim().to_owned(),
                min: severity(&mut errors, &r.min_field, &r.min),
                max: severity(&mut errors, &r.max_field, &r.max),
                colour: r.colour.trim().to_owned(),
            });
            band_rows.push(i);
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let categories = current
            .classification
            .categories
            .iter()
            .map(|c| ClassificationCategory {
                name: c.name.clone(),
                cells: impact_rows
                    .iter()
                    .map(|&row| {
                        if self.impact[row].new {
                            None
                        } else {
                            c.cells.get(row).cloned().flatten()
                        }
                    })
                    .collect(),
            })
            .collect();
        let mut renumber = Renumber::default();
        renumber.list("impact_scale", impact_rows);
        renumber.list("likelihood_scale", likelihood_rows);
        renumber.list("bands", band_rows);
        Ok((
            Settings {
                impact_scale,
                likelihood_scale,
                bands,
                classification: Classification { categories },
            },
            renumber,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn posted(form: &ScalesForm, edit: &[(&str, &str)]) -> Posted {
        let mut pairs = Vec::new();
        for r in form.impact.iter().chain(&form.likelihood) {
            pairs.push((r.label_field.clone(), r.label.clone()));
            if r.new {
                pairs.push((format!("{}.new", r.name), "1".into()));
            }
        }
        for b in &form.bands {
            pairs.push((b.name_field.clone(), b.band.clone()));
            pairs.push((b.min_field.clone(), b.min.clone()));
            pairs.push((b.max_field.clone(), b.max.clone()));
            pairs.push((b.colour_field.clone(), b.colour.clone()));
            if b.new {
                pairs.push((format!("{}.new", b.name), "1".into()));
            }
        }
        pairs.extend(edit.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
        Posted::new(pairs)
    }

    #[test]
    fn an_untouched_form_gives_back_the_same_settings() {
        let s = Settings::default();
        let form = ScalesForm::of(&s);
        let (again, _) = ScalesForm::posted(&posted(&form, &[])).settings(&s).unwrap();
        assert_eq!(again, s);
    }

    #[test]
    fn a_removed_band_renumbers_the_errors_to_the_form_rows() {
        let s = Settings::default();
        let form = ScalesForm::of(&s);
        let p = posted(&form, &[("bands[1].remove", "1"), ("bands[2].colour", "red")]);
        let (new, renumber) = ScalesForm::posted(&p).settings(&s).unwrap();
        assert_eq!(new.bands.len(), 3);
        let errors = new.validate().unwrap_err();
        let shown = RowErrors::from_validation(&errors, &renumber);
        assert!(shown.has("bands[2].colour"), "{:?}", shown.all());
    }

    #[test]
    fn a_new_level_has_no_descriptors_and_unreadable_numbers_are_named() {
        let s = Settings::default();
        let form = ScalesForm::of(&s);
        let p = posted(&form, &[("impact_scale[5].label", "Catastrophic")]);
        let (new, _) = ScalesForm::posted(&p).settings(&s).unwrap();
        assert_eq!(new.impact_levels(), 6);
        assert!(
            new.classification
                .categories
                .iter()
                .all(|c| c.cells.len() == 6 && c.cells[5].is_none())
        );
        let p = posted(&form, &[("bands[0].max", "four")]);
        let errors = ScalesForm::posted(&p).settings(&s).unwrap_err();
        assert!(errors.has("bands[0].max"), "{:?}", errors.all());
    }
}
