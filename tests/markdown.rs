//! The notice renderer keeps Markdown's formatting and drops everything that could run script
//! (the end-to-end XSS test checks the same in the real page).
#![cfg(target_arch = "wasm32")]

use linli::markdown::to_safe_html;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn markdown_becomes_markup() {
    assert_eq!(to_safe_html("**Water** off"), "<p><strong>Water</strong> off</p>\n");
    assert!(to_safe_html("- a\n- b").contains("<li>a</li>"));
    assert!(to_safe_html("[map](https://example.org/m)").contains(r#"href="https://example.org/m""#));
}

#[wasm_bindgen_test]
fn raw_html_is_shown_as_text() {
    let html = to_safe_html("<script>alert(1)</script>\n\nhi <img src=x onerror=alert(1)>");
    assert!(!html.contains("<script"), "{html}");
    assert!(!html.contains("<img"), "{html}");
    assert!(html.contains("&lt;script&gt;"), "{html}");
}

#[wasm_bindgen_test]
fn script_addresses_lose_their_address() {
    for link in ["[x](javascript:alert(1))", "[x](JAVASCRIPT:alert(1))", "[x](java\tscript:alert(1))", "![x](data:text/html,hi)", "[x](vbscript:y)"] {
        let html = to_safe_html(link);
        let lower = html.to_ascii_lowercase();
        assert!(!lower.contains("href=\"java") && !lower.contains("href=\"vbscript") && !lower.contains("src=\"data:"), "{link} → {html}");
    }
    assert!(to_safe_html("[x](/s/abc)").contains(r#"href="/s/abc""#));
    assert!(to_safe_html("[x](tel:+8659112345)").contains("tel:"));
}

#[wasm_bindgen_test]
fn plain_text_keeps_the_words_and_drops_the_markup() {
    use linli::markdown::to_plain_text;
    assert_eq!(to_plain_text("# Water\n\n**Off** on [Friday](https://example.org/f)."), "Water\nOff on Friday.");
    assert_eq!(to_plain_text("- one\n- two"), "one\ntwo");
    assert_eq!(to_plain_text("停水通知：\n周五 *上午*"), "停水通知： 周五 上午");
}

#[wasm_bindgen_test]
fn bare_web_addresses_and_phone_numbers_become_links_and_nothing_else_does() {
    let html = to_safe_html("报名请致电 13800138000，或 0591-87654321。详情: https://example.org/a?b=1.");
    assert!(html.contains(r#"<a href="tel:13800138000">13800138000</a>"#), "{html}");
    assert!(html.contains(r#"<a href="tel:059187654321">0591-87654321</a>"#), "{html}");
    assert!(html.contains(r#"<a href="https://example.org/a?b=1">https://example.org/a?b=1</a>."#), "{html}");
    let html = to_safe_html("Call +86 138 0013 8000 or 400-123-4567 before 2026-12-12; room 302; 3 people; 12345678901234567890.");
    assert!(html.contains(r#"<a href="tel:+8613800138000">+86 138 0013 8000</a>"#), "{html}");
    assert!(html.contains(r#"<a href="tel:4001234567">400-123-4567</a>"#), "{html}");
    assert_eq!(html.matches("<a ").count(), 2, "dates, rooms, counts and long numbers are not numbers to call: {html}");
    // Inside a link or code, text stays as it is; a link's own address is still checked.
    let html = to_safe_html("[call us](tel:13800138000) `https://example.org` [x](javascript:alert(1))");
    assert_eq!(html.matches("<a ").count(), 2, "{html}");
    assert!(html.contains(r##"<a href="#">x</a>"##), "{html}");
    assert!(to_safe_html("<script>https://evil</script>").contains("&lt;script&gt;"));
}
