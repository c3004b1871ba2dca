//! Sentences filled in from the translations read right: one of a thing is singular in English.
#![cfg(target_arch = "wasm32")]

use linli::format::fill;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn one_of_a_thing_is_singular_in_english() {
    assert_eq!(fill("{members} members in the space", &[("members", "1")]), "1 member in the space");
    assert_eq!(fill("voted · {members} members", &[("members", "1")]), "voted · 1 member");
    assert_eq!(fill("{members} members", &[("members", "11")]), "11 members");
    assert_eq!(fill("{count} tasks", &[("count", "21")]), "21 tasks");
    assert_eq!(fill("{n}人", &[("n", "1")]), "1人");
}
