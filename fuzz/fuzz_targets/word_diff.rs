//! The word diff behind every tracked change: for any two texts, the deleted and equal
//! runs give back the old text and the inserted and equal runs the new one.
#![no_main]

use libfuzzer_sys::fuzz_target;
use riskreg_domain::diff::{new_text, old_text, word_diff};

fuzz_target!(|texts: (String, String)| {
    let (old, new) = texts;
    let segments = word_diff(&old, &new);
    assert_eq!(old_text(&segments), old);
    assert_eq!(new_text(&segments), new);
});
