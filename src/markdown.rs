//! Notice and pledge text as safe HTML: Markdown parsed by pulldown-cmark, with raw HTML shown
//! as text and links limited to web, mail and phone addresses.
//!
//! Anyone in a space can write its text, so the text is hostile until proven otherwise. Nothing
//! the author types becomes markup except what Markdown itself produces: HTML blocks and inline
//! HTML are turned into escaped text, and a link or image whose address could run script
//! (`javascript:`, `data:`, `vbscript:` …) has its address replaced by `#`.

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd, html};

/// Markdown → HTML that is safe to put into the page.
pub fn to_safe_html(markdown: &str) -> String {
    let options = Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TABLES | Options::ENABLE_TASKLISTS;
    let events = Parser::new_ext(markdown, options).map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
            Event::Start(Tag::Link { link_type, dest_url: safe_address(dest_url), title, id })
        }
        Event::Start(Tag::Image { link_type, dest_url, title, id }) => {
            Event::Start(Tag::Image { link_type, dest_url: safe_address(dest_url), title, id })
        }
        other => other,
    });
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, events);
    out
}

/// Markdown → the words it shows, one line per paragraph, heading or list item (what reading
/// aloud speaks: no markup characters, no link addresses).
pub fn to_plain_text(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    for event in Parser::new_ext(markdown, Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TABLES) {
        match event {
            Event::Text(text) | Event::Code(text) | Event::Html(text) | Event::InlineHtml(text) => out.push_str(&text),
            Event::SoftBreak => out.push(' '),
            Event::HardBreak
            | Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item | TagEnd::TableRow | TagEnd::CodeBlock) => {
                if !out.ends_with('\n') && !out.is_empty() {
                    out.push('\n');
                }
            }
            Event::End(TagEnd::TableCell) => out.push(' '),
            _ => {}
        }
    }
    out.trim_end().to_owned()
}

/// The address if it is a web, mail or phone address or a path on this site; else `#` (a link
/// that goes nowhere).
fn safe_address(address: CowStr<'_>) -> CowStr<'_> {
    // Browsers ignore ASCII whitespace and control characters inside a scheme, so compare
    // without them ("java\tscript:" is still javascript:).
    let squeezed: String = address.chars().filter(|c| !c.is_ascii_whitespace() && !c.is_ascii_control()).collect();
    let lower = squeezed.to_ascii_lowercase();
    let scheme_end = lower.find(':');
    let first_path_char = lower.find(['/', '?', '#']);
    let has_scheme = match (scheme_end, first_path_char) {
        (Some(colon), Some(path)) => colon < path,
        (Some(_), None) => true,
        _ => false,
    };
    let allowed = !has_scheme || ["http:", "https:", "mailto:", "tel:"].iter().any(|s| lower.starts_with(s));
    if allowed { address } else { CowStr::Borrowed("#") }
}
