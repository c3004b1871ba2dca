//! The languages Linli speaks, and text kept in several of them.

use serde::{Deserialize, Serialize};

use std::collections::BTreeMap;

/// A language of the interface and of translated content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Lang {
    /// Simplified Chinese.
    ZhHans,
    /// Traditional Chinese.
    ZhHant,
    English,
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::ZhHans, Lang::ZhHant, Lang::English];

    /// The BCP 47 tag stored in documents.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::ZhHans => "zh-Hans",
            Lang::ZhHant => "zh-Hant",
            Lang::English => "en",
        }
    }

    /// Reads a stored tag; also accepts common browser tags (`zh-CN`, `zh-TW`, `en-GB`, …).
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let tag = tag.to_ascii_lowercase();
        match tag.as_str() {
            "zh-hans" | "zh-cn" | "zh-sg" | "zh" => Some(Lang::ZhHans),
            "zh-hant" | "zh-tw" | "zh-hk" | "zh-mo" => Some(Lang::ZhHant),
            _ if tag.starts_with("zh-hans") => Some(Lang::ZhHans),
            _ if tag.starts_with("zh-hant") => Some(Lang::ZhHant),
            _ if tag == "en" || tag.starts_with("en-") => Some(Lang::English),
            _ => None,
        }
    }
}

/// A short text in several languages, by tag (`{"en": "Repairs", "zh-Hans": "维修"}`). Unknown
/// tags are kept, so a newer Linli's languages survive an older one's edits.
pub type Names = BTreeMap<String, String>;

/// The best text of `names` for `lang`: that language, else the other Chinese script, else
/// English, else any.
pub fn pick(names: &Names, lang: Lang) -> Option<&str> {
    let order: &[Lang] = match lang {
        Lang::ZhHans => &[Lang::ZhHans, Lang::ZhHant, Lang::English],
        Lang::ZhHant => &[Lang::ZhHant, Lang::ZhHans, Lang::English],
        Lang::English => &[Lang::English, Lang::ZhHans, Lang::ZhHant],
    };
    order.iter().find_map(|l| names.get(l.tag())).or_else(|| names.values().next()).map(String::as_str)
}
