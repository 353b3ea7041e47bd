//! Word-level differences between two versions of a text, as a committee paper shows an
//! amendment in tracked changes. One diff drives every format (HTML, Markdown, DOCX, PDF),
//! so the segmentation is tuned here for readers: whole rewritten phrases rather than a
//! confetti of single words.

use serde::{Deserialize, Serialize};
use similar::{ChangeTag, TextDiff};

/// One run of text in a word diff.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "op", content = "text", rename_all = "lowercase")]
pub enum Segment {
    /// Text in both versions.
    Equal(String),
    /// Text only in the old version (struck through in the paper).
    Delete(String),
    /// Text only in the new version (underlined in the paper).
    Insert(String),
}

impl Segment {
    pub fn text(&self) -> &str {
        match self {
            Self::Equal(t) | Self::Delete(t) | Self::Insert(t) => t,
        }
    }
}

/// The word diff of `old` against `new`: equal, deleted and inserted runs in reading order,
/// a deletion before the insertion that replaces it. Adjacent changes are coalesced and
/// short equal runs caught inside a rewrite are folded into it (see [`cleanup`]).
pub fn word_diff(old: &str, new: &str) -> Vec<Segment> {
    let diff = TextDiff::from_unicode_words(old, new);
    let mut pieces: Vec<Piece> = Vec::new();
    for change in diff.iter_all_changes() {
        let value = change.value();
        match change.tag() {
            ChangeTag::Equal => push_equal(&mut pieces, value),
            ChangeTag::Delete => push_change(&mut pieces, value, ""),
            ChangeTag::Insert => push_change(&mut pieces, "", value),
        }
    }
    cleanup(&mut pieces);
    let mut out = Vec::with_capacity(pieces.len() + 1);
    for piece in pieces {
        match piece {
            Piece::Equal(t) => out.push(Segment::Equal(t)),
            Piece::Change { del, ins } => {
                if !del.is_empty() {
                    out.push(Segment::Delete(del));
                }
                if !ins.is_empty() {
                    out.push(Segment::Insert(ins));
                }
            }
        }
    }
    out
}

/// The old text: the equal and deleted runs.
pub fn old_text(segments: &[Segment]) -> String {
    segments
        .iter()
        .filter(|s| !matches!(s, Segment::Insert(_)))
        .map(Segment::text)
        .collect()
}

/// The new text: the equal and inserted runs.
pub fn new_text(segments: &[Segment]) -> String {
    segments
        .iter()
        .filter(|s| !matches!(s, Segment::Delete(_)))
        .map(Segment::text)
        .collect()
}

/// Whether the diff records any change at all.
pub fn has_changes(segments: &[Segment]) -> bool {
    segments.iter().any(|s| !matches!(s, Segment::Equal(_)))
}

/// The working form: equal runs alternating with changes, each change holding what it
/// deletes and what it inserts, so that coalescing and folding are plain string joins.
#[derive(Debug)]
enum Piece {
    Equal(String),
    Change { del: String, ins: String },
}

fn push_equal(pieces: &mut Vec<Piece>, text: &str) {
    match pieces.last_mut() {
        Some(Piece::Equal(t)) => t.push_str(text),
        _ => pieces.push(Piece::Equal(text.to_owned())),
    }
}

fn push_change(pieces: &mut Vec<Piece>, del: &str, ins: &str) {
    match pieces.last_mut() {
        Some(Piece::Change { del: d, ins: i }) => {
            d.push_str(del);
            i.push_str(ins);
        }
        _ => pieces.push(Piece::Change {
            del: del.to_owned(),
            ins: ins.to_owned(),
        }),
    }
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

/// The larger side of a change, in characters: how much of the reader's attention it takes.
fn weight(del: &str, ins: &str) -> usize {
    chars(del).max(chars(ins))
}

/// Makes the diff read as a person would mark it up.
///
/// 1. An equal run between two changes is folded into both (it appears once struck and
///    once inserted) when it is no longer than the larger side of each neighbouring change
///    — the rule of diff-match-patch's semantic cleanup. "SMETS1 E&A design" caught between
///    two rewrites of a sentence is a leftover of the rewrite, not a phrase the author kept;
///    "sat on the" between "cat→dog" and "mat→rug" is longer than either and stays.
///    Two pure insertions (or two pure deletions) are left apart: folding them would strike
///    and re-insert text nobody touched.
/// 2. A single word left at the end of the text after a rewrite many times its length
///    ("to:" after "…leading" → "…which may lead") is folded into the rewrite, so the
///    reader gets one struck clause and one inserted clause. Only at the end: a sentence's
///    opening word ("We", "The") is usually kept on purpose.
fn cleanup(pieces: &mut Vec<Piece>) {
    let mut i = 1;
    while i + 1 < pieces.len() {
        if let (Piece::Change { del: d1, ins: i1 }, Piece::Equal(eq), Piece::Change { del: d2, ins: i2 }) =
            (&pieces[i - 1], &pieces[i], &pieces[i + 1])
        {
            let n = chars(eq);
            let same_kind = (d1.is_empty() && d2.is_empty()) || (i1.is_empty() && i2.is_empty());
            if !same_kind && n <= weight(d1, i1) && n <= weight(d2, i2) {
                let folded = Piece::Change {
                    del: format!("{d1}{eq}{d2}"),
                    ins: format!("{i1}{eq}{i2}"),
                };
                pieces.splice(i - 1..=i + 1, [folded]);
                // The merged change may now absorb the equal run before it.
                i = i.saturating_sub(2).max(1);
                continue;
            }
        }
        i += 1;
    }
    fold_tail(pieces);
}

/// How many times longer than a stray final word a rewrite must be to absorb it.
const TAIL_RATIO: usize = 8;

fn fold_tail(pieces: &mut Vec<Piece>) {
    let len = pieces.len();
    if len < 2 {
        return;
    }
    let (Piece::Change { del, ins }, Piece::Equal(eq)) = (&pieces[len - 2], &pieces[len - 1]) else {
        return;
    };
    let single_word = !eq.trim().contains(char::is_whitespace);
    let replacement = !del.is_empty() && !ins.is_empty();
    if single_word && replacement && chars(eq) * TAIL_RATIO <= weight(del, ins) {
        let folded = Piece::Change {
            del: format!("{del}{eq}"),
            ins: format!("{ins}{eq}"),
        };
        pieces.splice(len - 2.., [folded]);
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn eq(s: &str) -> Segment {
        Segment::Equal(s.into())
    }
    fn del(s: &str) -> Segment {
        Segment::Delete(s.into())
    }
    fn ins(s: &str) -> Segment {
        Segment::Insert(s.into())
    }

    #[test]
    fn risk_15_reads_as_one_struck_and_one_inserted_clause() {
        let old = "The Security Sub-Committee (SSC) has identified a risk, that the DCC has not \
                   yet completed a sufficiently detailed or stable SMETS1 E&A design leading to:";
        let new = "The Security Sub-Committee (SSC) has identified a risk, that the DCC SMETS1 \
                   E&A design is insufficiently detailed and unstable, which may lead to:";
        assert_eq!(
            word_diff(old, new),
            [
                eq("The Security Sub-Committee (SSC) has identified a risk, that the DCC "),
                del(
                    "has not yet completed a sufficiently detailed or stable SMETS1 E&A design \
                     leading to:"
                ),
                ins("SMETS1 E&A design is insufficiently detailed and unstable, which may lead to:"),
            ]
        );
    }

    #[test]
    fn separate_edits_stay_separate() {
        assert_eq!(
            word_diff("the cat sat on the mat", "the dog sat on the rug"),
            [
                eq("the "),
                del("cat"),
                ins("dog"),
                eq(" sat on the "),
                del("mat"),
                ins("rug"),
            ]
        );
    }

    #[test]
    fn a_short_word_between_two_rewrites_is_folded() {
        assert_eq!(
            word_diff(
                "We will review the budget quarterly",
                "We must carefully audit the spending monthly"
            ),
            [
                eq("We "),
                del("will review the budget quarterly"),
                ins("must carefully audit the spending monthly"),
            ]
        );
    }

    #[test]
    fn a_final_word_after_a_small_change_is_kept() {
        assert_eq!(
            word_diff("Done.", "Done. More to follow."),
            [eq("Done."), ins(" More to follow.")]
        );
        assert_eq!(
            word_diff("one two", "one three"),
            [eq("one "), del("two"), ins("three")]
        );
    }

    #[test]
    fn insertions_apart_are_not_joined_through_untouched_text() {
        let d = word_diff("b d", "a b c d");
        assert_eq!(d, [ins("a "), eq("b "), ins("c "), eq("d")]);
    }

    #[test]
    fn equal_texts_and_empty_sides() {
        assert_eq!(word_diff("same text", "same text"), [eq("same text")]);
        assert!(!has_changes(&word_diff("same text", "same text")));
        assert_eq!(word_diff("", "new words"), [ins("new words")]);
        assert_eq!(word_diff("old words", ""), [del("old words")]);
        assert!(word_diff("", "").is_empty());
    }

    #[test]
    fn segments_serialise_as_op_and_text() {
        let json = serde_json::to_string(&[del("a"), ins("b")]).unwrap();
        assert_eq!(json, r#"[{"op":"delete","text":"a"},{"op":"insert","text":"b"}]"#);
    }

    fn words() -> impl Strategy<Value = String> {
        // A small vocabulary makes shared words, and so interesting diffs, likely.
        let word = prop::sample::select(vec![
            "risk", "the", "DCC", "may", "lead", "to:", "E&A", "design", "é", "—", ",", "a",
        ]);
        let sep = prop::sample::select(vec![" ", " ", "  ", "\n", ""]);
        prop::collection::vec((word, sep), 0..30).prop_map(|v| v.into_iter().map(|(w, s)| format!("{w}{s}")).collect())
    }

    proptest! {
        #[test]
        fn applying_the_segments_gives_back_both_texts(old in words(), new in words()) {
            let d = word_diff(&old, &new);
            prop_assert_eq!(old_text(&d), old.clone());
            prop_assert_eq!(new_text(&d), new.clone());
            prop_assert_eq!(has_changes(&d), old != new);
        }

        #[test]
        fn segments_are_never_empty_nor_two_equal_runs_adjacent(old in words(), new in words()) {
            let d = word_diff(&old, &new);
            prop_assert!(d.iter().all(|s| !s.text().is_empty()));
            for w in d.windows(2) {
                let same = std::mem::discriminant(&w[0]) == std::mem::discriminant(&w[1]);
                prop_assert!(!same, "{:?}", d);
                prop_assert!(!matches!((&w[0], &w[1]), (Segment::Insert(_), Segment::Delete(_))));
            }
        }

        #[test]
        fn arbitrary_unicode_round_trips(old in "\\PC{0,40}", new in "\\PC{0,40}") {
            let d = word_diff(&old, &new);
            prop_assert_eq!(old_text(&d), old);
            prop_assert_eq!(new_text(&d), new);
        }
    }
}
