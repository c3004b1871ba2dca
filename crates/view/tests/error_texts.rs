//! Every error the engine can give the page is said in each of Linli's three languages
//! (`locales/errors/`), with the same blanks to fill, and the Chinese ones are Chinese: no
//! sentence of Latin words shows to a resident who reads Chinese.

use std::collections::{BTreeMap, BTreeSet};

use linli_model::Invalid;
use linli_view::EngineError;

fn texts(lang: &str) -> BTreeMap<String, String> {
    let path = format!("{}/../../locales/errors/errors-{lang}.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The `{name}`s in a sentence.
fn blanks(text: &str) -> BTreeSet<String> {
    text.split('{').skip(1).filter_map(|part| part.split_once('}').map(|(name, _)| name.to_owned())).collect()
}

/// Two Latin words in a row (outside blanks): a sentence, or part of one, in English.
fn latin_words(text: &str) -> Option<String> {
    let mut outside = String::new();
    let mut depth = 0;
    for c in text.chars() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            _ if depth == 0 => outside.push(c),
            _ => {}
        }
    }
    let mut run = Vec::new();
    for piece in outside.split_whitespace() {
        if piece.chars().any(|c| c.is_ascii_alphabetic()) && piece.is_ascii() {
            run.push(piece);
            if run.len() >= 2 {
                return Some(run.join(" "));
            }
        } else {
            run.clear();
        }
    }
    None
}

#[test]
fn every_error_is_said_in_every_language_with_its_blanks() {
    let languages = ["en", "zh-Hans", "zh-Hant"];
    let all: BTreeMap<&str, BTreeMap<String, String>> = languages.iter().map(|lang| (*lang, texts(lang))).collect();
    let kinds = EngineError::every_kind();
    for error in &kinds {
        let wanted: BTreeSet<String> = error.args().into_iter().map(|(name, _)| name.to_owned()).collect();
        for (lang, texts) in &all {
            let text = texts.get(error.key()).unwrap_or_else(|| panic!("{lang}: no sentence for {}", error.key()));
            assert!(!text.trim().is_empty(), "{lang}: {} is empty", error.key());
            assert_eq!(blanks(text), wanted, "{lang}: {} has other blanks than the error fills", error.key());
        }
    }
    let keys: BTreeSet<&str> = kinds.iter().map(EngineError::key).collect();
    assert_eq!(keys.len(), kinds.len(), "two kinds of error share a sentence's name");
    for (lang, texts) in &all {
        let unused: Vec<&String> = texts.keys().filter(|key| !keys.contains(key.as_str())).collect();
        assert!(unused.is_empty(), "{lang}: sentences no error uses: {unused:?}");
    }
}

#[test]
fn a_resident_reading_chinese_sees_no_english_sentence() {
    for lang in ["zh-Hans", "zh-Hant"] {
        for (key, text) in texts(lang) {
            assert_eq!(latin_words(&text), None, "{lang}: {key} reads \"{text}\"");
        }
    }
    // The check can fail: an English sentence is found.
    assert!(latin_words("这台设备 cannot open 这条").is_some());
    assert!(latin_words("邀请以 linli-invite: 开头，来自 {relay}").is_none());
}

#[test]
fn the_english_of_the_editors_checks_is_theirs() {
    let english = texts("en");
    for invalid in Invalid::ALL {
        let text = &english[invalid.key()];
        let mut said = text.strip_suffix('.').unwrap_or(text).to_owned();
        said.replace_range(0..1, &said[0..1].to_lowercase());
        assert_eq!(said, invalid.english(), "{}", invalid.key());
    }
}
