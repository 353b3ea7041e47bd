//! Escaping user text for the markup languages the paper is written in. Register text is
//! typed by people and may hold any character; none of it may change the markup around it.

/// Escapes text for XML and HTML, in element content and in quoted attributes alike.
pub(crate) fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Escapes text for Markdown (CommonMark and GitHub tables): HTML's specials become
/// entities, since the paper uses inline `<del>`/`<ins>`, and every character that could
/// start emphasis, a link, code, a heading or a table cell is backslash-escaped. Line
/// breaks become `<br>` so that a paragraph stays one table cell or one list item.
pub(crate) fn markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '|' | '~' | '!' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("<br>"),
            '\r' => {}
            _ => out.push(c),
        }
    }
    // A leading "1." or "-" would start a list; a leading "+" likewise.
    if out.starts_with(['-', '+']) {
        out.insert(0, '\\');
    }
    let digits = out.chars().take_while(char::is_ascii_digit).count();
    if digits > 0 && out[digits..].starts_with(['.', ')']) {
        out.insert(digits, '\\');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_specials_are_entities() {
        assert_eq!(
            xml(r#"<b>"R&D"</b> it's"#),
            "&lt;b&gt;&quot;R&amp;D&quot;&lt;/b&gt; it&#39;s"
        );
    }

    #[test]
    fn markdown_cannot_be_steered_by_register_text() {
        assert_eq!(
            markdown("*bold* _x_ [a](b) `c` # | <del>"),
            r"\*bold\* \_x\_ \[a\](b) \`c\` \# \| &lt;del&gt;"
        );
        assert_eq!(markdown("- item"), r"\- item");
        assert_eq!(markdown("1. item"), r"1\. item");
        assert_eq!(markdown("a\nb"), "a<br>b");
    }
}
