//! Reading aloud with the browser's own speech synthesis (Web Speech API): which language a text
//! is spoken in, whether the browser has a voice for it, speaking it and stopping.
//!
//! Chinese text, Simplified or Traditional, is read in Mandarin (`zh-CN`, or `zh-TW` where the
//! text is in Traditional characters; never `zh-HK`, which voices speak as Cantonese); anything
//! else in English. Text is queued a paragraph at a time: some browsers stop one long utterance
//! after some fifteen seconds.

use futures::future::{Either, select};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

/// How long to wait for the browser's voice list when it is empty at first (Chromium fills it
/// after the page asks, and says so with `voiceschanged`).
const VOICES_WAIT_MS: i32 = 1500;

/// Characters written only in Simplified Chinese, and their Traditional forms: enough common ones
/// to tell the two apart in a notice.
const SIMPLIFIED: &str =
    "们这个会来时说对区邻里请应为与务无发动们过还没后开关门问间题经点头实现电话东车长见办进书学习让从样给样线处级组织队费医疗卫环护项层听读写难爱愿产业专场将岁";
const TRADITIONAL: &str = "們這個會來時說對區鄰裡請應為與務無發動過還沒後開關門問間題經點頭實現電話東車長見辦進書學習讓從樣給線處級組織隊費醫療衛環護項層聽讀寫難愛願產業專場將歲";

/// The language a text is read in: `zh-CN`, `zh-TW` or `en`.
pub fn language_of(text: &str) -> &'static str {
    let han = text.chars().filter(|c| is_han(*c)).count();
    let latin_words = text.split(|c: char| !c.is_ascii_alphabetic()).filter(|w| !w.is_empty()).count();
    if han == 0 || latin_words > han {
        return "en";
    }
    let simplified = text.chars().filter(|c| SIMPLIFIED.contains(*c)).count();
    let traditional = text.chars().filter(|c| TRADITIONAL.contains(*c)).count();
    if traditional > simplified { "zh-TW" } else { "zh-CN" }
}

fn is_han(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{2FA1F}')
}

/// Whether a voice (its BCP 47 tag, as browsers give it: `zh-CN`, `zh_TW`, `en-GB` …) can read
/// text of `language`.
pub fn voice_fits(voice_lang: &str, language: &str) -> bool {
    let voice = voice_lang.replace('_', "-").to_ascii_lowercase();
    if language.starts_with("zh") {
        // Mandarin voices only: Hong Kong's speak Cantonese.
        voice.starts_with("zh") && !voice.starts_with("zh-hk") && !voice.starts_with("yue")
    } else {
        voice.starts_with(language)
    }
}

fn synthesis() -> Option<web_sys::SpeechSynthesis> {
    web_sys::window()?.speech_synthesis().ok()
}

/// The languages of the browser's voices (empty while it has not loaded them).
fn voice_languages(synth: &web_sys::SpeechSynthesis) -> Vec<String> {
    synth.get_voices().iter().filter_map(|voice| js_sys::Reflect::get(&voice, &JsValue::from_str("lang")).ok()?.as_string()).collect()
}

/// Whether the browser can read `language` aloud, waiting briefly for its voice list.
pub async fn has_voice_for(language: &str) -> bool {
    let Some(synth) = synthesis() else { return false };
    let mut voices = voice_languages(&synth);
    if voices.is_empty() {
        let changed = js_sys::Promise::new(&mut |resolve, _| synth.set_onvoiceschanged(Some(&resolve)));
        let changed = wasm_bindgen_futures::JsFuture::from(changed);
        let timeout = wasm_bindgen_futures::JsFuture::from(js_sys::Promise::new(&mut |resolve, _| {
            if let Some(window) = web_sys::window() {
                let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, VOICES_WAIT_MS);
            }
        }));
        if let Either::Left(_) = select(changed, timeout).await {
            voices = voice_languages(&synth);
        }
        synth.set_onvoiceschanged(None);
    }
    voices.iter().any(|voice| voice_fits(voice, language))
}

/// Reads `lines` aloud in `language`, one utterance per line; `done` runs when the last ends or
/// reading stops. Whatever was being read before stops first.
pub fn speak(lines: &[String], language: &str, done: impl FnOnce() + 'static) -> bool {
    let Some(synth) = synthesis() else { return false };
    synth.cancel();
    let lines: Vec<&String> = lines.iter().filter(|line| !line.trim().is_empty()).collect();
    let Some(last) = lines.len().checked_sub(1) else { return false };
    let mut done = Some(done);
    for (index, line) in lines.into_iter().enumerate() {
        let Ok(utterance) = web_sys::SpeechSynthesisUtterance::new_with_text(line) else { return false };
        utterance.set_lang(language);
        utterance.set_rate(0.9);
        if index == last
            && let Some(done) = done.take()
        {
            let finished = Closure::once_into_js(done);
            let finished: &js_sys::Function = finished.unchecked_ref();
            utterance.set_onend(Some(finished));
            utterance.set_onerror(Some(finished));
        }
        synth.speak(&utterance);
    }
    true
}

/// Stops reading aloud.
pub fn stop() {
    if let Some(synth) = synthesis() {
        synth.cancel();
    }
}
