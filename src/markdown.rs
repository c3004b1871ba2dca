//! Notice and pledge text as safe HTML: Markdown parsed by pulldown-cmark, with raw HTML shown
//! as text and links limited to web, mail and phone addresses.
//!
//! Anyone in a space can write its text, so the text is hostile until proven otherwise. Nothing
//! the author types becomes markup except what Markdown itself produces: HTML blocks and inline
//! HTML are turned into escaped text, and a link or image whose address could run script
//! (`javascript:`, `data:`, `vbscript:` …) has its address replaced by `#`. A bare web address or
//! phone number in the text becomes a link (a tap opens it or calls it), as people write them in
//! notices: "报名请致电 13800138000", "details: https://…".

use pulldown_cmark::{CowStr, Event, LinkType, Options, Parser, Tag, TagEnd, html};

/// Markdown → HTML that is safe to put into the page.
pub fn to_safe_html(markdown: &str) -> String {
    let options = Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TABLES | Options::ENABLE_TASKLISTS;
    let mut in_link = 0_usize;
    let linked = Parser::new_ext(markdown, options).flat_map(move |event| match event {
        // (Text inside a link or a code block stays as it is.)
        Event::Start(Tag::Link { .. } | Tag::CodeBlock(_)) => {
            in_link += 1;
            vec![event]
        }
        Event::End(TagEnd::Link | TagEnd::CodeBlock) => {
            in_link = in_link.saturating_sub(1);
            vec![event]
        }
        Event::Text(text) if in_link == 0 => autolinked(&text),
        other => vec![other],
    });
    let events = linked.map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        Event::Start(Tag::Link { link_type, dest_url, title, id }) => Event::Start(Tag::Link { link_type, dest_url: safe_address(dest_url), title, id }),
        Event::Start(Tag::Image { link_type, dest_url, title, id }) => Event::Start(Tag::Image { link_type, dest_url: safe_address(dest_url), title, id }),
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
            Event::HardBreak | Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item | TagEnd::TableRow | TagEnd::CodeBlock)
                if !out.ends_with('\n') && !out.is_empty() =>
            {
                out.push('\n');
            }
            Event::End(TagEnd::TableCell) => out.push(' '),
            _ => {}
        }
    }
    out.trim_end().to_owned()
}

/// A piece of text as events: its bare web addresses and phone numbers as links.
fn autolinked(text: &str) -> Vec<Event<'static>> {
    let mut events = Vec::new();
    let mut plain = String::new();
    let mut rest = text;
    while !rest.is_empty() {
        if let Some((shown, address, len)) = web_address(rest).or_else(|| phone_number(rest, plain.chars().last())) {
            if !plain.is_empty() {
                events.push(Event::Text(CowStr::from(std::mem::take(&mut plain))));
            }
            events.push(Event::Start(Tag::Link { link_type: LinkType::Autolink, dest_url: CowStr::from(address), title: CowStr::from(""), id: CowStr::from("") }));
            events.push(Event::Text(CowStr::from(shown)));
            events.push(Event::End(TagEnd::Link));
            rest = &rest[len..];
        } else {
            let c = rest.chars().next().expect("not empty");
            plain.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    if !plain.is_empty() {
        events.push(Event::Text(CowStr::from(plain)));
    }
    events
}

/// `http://` or `https://` and what follows up to a space, a non-ASCII character or the end,
/// without trailing punctuation: (shown, address, bytes taken).
fn web_address(text: &str) -> Option<(String, String, usize)> {
    let lower = text.get(..8)?.to_ascii_lowercase();
    if !(lower.starts_with("https://") || lower.starts_with("http://")) {
        return None;
    }
    let end = text.find(|c: char| !c.is_ascii_graphic() || matches!(c, '<' | '>' | '"')).unwrap_or(text.len());
    let address = text[..end].trim_end_matches(['.', ',', ';', ':', '!', '?', ')', '\'', ']']);
    (address.len() > "https://".len()).then(|| (address.to_owned(), address.to_owned(), address.len()))
}

/// A phone number as people write them here: a mobile (1 and ten digits), a number with its area
/// code (0…), a 400/800 service line, or one with a country code (+…); digits may be grouped by
/// hyphens or spaces. Not a date, a count or part of a longer number: (shown, `tel:` address,
/// bytes taken).
fn phone_number(text: &str, before: Option<char>) -> Option<(String, String, usize)> {
    if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '+' || c == '-') {
        return None;
    }
    let first = text.chars().next()?;
    if !(first.is_ascii_digit() || first == '+') {
        return None;
    }
    let mut end = 0;
    let mut digits = String::new();
    for (at, c) in text.char_indices() {
        if c.is_ascii_digit() {
            digits.push(c);
            end = at + 1;
        } else {
            // A hyphen or space between digits, or a leading plus, goes on; anything else ends it.
            let joins_digits = (c == '-' || c == ' ') && text[at + 1..].starts_with(|d: char| d.is_ascii_digit()) && !digits.is_empty();
            let leading_plus = c == '+' && at == 0;
            if !(joins_digits || leading_plus) {
                break;
            }
        }
    }
    if text[end..].starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return None;
    }
    let shown = &text[..end];
    let grouped_by_spaces = shown.contains(' ');
    let ok = match (first, digits.len()) {
        ('+', 8..=15) => true,
        (_, 11) if digits.starts_with('1') && digits.as_bytes()[1] >= b'3' => true,
        (_, 10..=12) if digits.starts_with('0') => true,
        (_, 10) if digits.starts_with("400") || digits.starts_with("800") => true,
        _ => false,
    };
    // Spaces group a number only in the shape people write (3-4-4, or after a country code).
    (ok && (!grouped_by_spaces || first == '+' || digits.len() == 11)).then(|| (shown.to_owned(), format!("tel:{}{digits}", if first == '+' { "+" } else { "" }), end))
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
