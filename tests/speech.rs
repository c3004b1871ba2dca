//! Which language a notice is read aloud in, and which of the browser's voices may read it.
#![cfg(target_arch = "wasm32")]

use linli::speech::{language_of, voice_fits};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn chinese_is_read_in_mandarin_and_english_in_english() {
    assert_eq!(language_of("周五上午停水，请提前储水。"), "zh-CN");
    assert_eq!(language_of("週五上午停水，請提前儲水。鄰里們注意"), "zh-TW");
    assert_eq!(language_of("Water off on Friday morning"), "en");
    assert_eq!(language_of("Linli 鄰里: water off on Friday morning"), "en");
    assert_eq!(language_of("停水通知 (Block 3)"), "zh-CN");
}

#[wasm_bindgen_test]
fn cantonese_voices_do_not_read_mandarin() {
    assert!(voice_fits("zh-CN", "zh-CN"));
    assert!(voice_fits("zh_TW", "zh-CN"));
    assert!(!voice_fits("zh-HK", "zh-TW"));
    assert!(voice_fits("en-GB", "en"));
    assert!(!voice_fits("fr-FR", "en"));
}
