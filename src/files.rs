//! Files in and out of the browser: offering bytes as a download, and reading a chosen file.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// Why a file did not go in or out (the page says it in the reader's language).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileTrouble {
    /// No file was chosen.
    NoneChosen,
    /// The browser could not read the chosen file.
    Unreadable,
    /// The browser would not offer the download.
    NoDownload,
}

/// Offers `bytes` as a download named `name`.
pub fn download(name: &str, bytes: &[u8], mime: &str) -> Result<(), FileTrouble> {
    let failed = |what: &str| {
        web_sys::console::warn_1(&format!("could not offer the download ({what})").into());
        FileTrouble::NoDownload
    };
    let array = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&array, &options).map_err(|_| failed("blob"))?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(|_| failed("address"))?;
    let document = web_sys::window().and_then(|w| w.document()).ok_or_else(|| failed("page"))?;
    let anchor: web_sys::HtmlAnchorElement = document.create_element("a").map_err(|_| failed("link"))?.unchecked_into();
    anchor.set_href(&url);
    anchor.set_download(name);
    anchor.click();
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}

/// The bytes of the first file chosen in a file input.
pub async fn read_chosen(input: &web_sys::HtmlInputElement) -> Result<Vec<u8>, FileTrouble> {
    let file = input.files().and_then(|files| files.get(0)).ok_or(FileTrouble::NoneChosen)?;
    let buffer = JsFuture::from(file.array_buffer()).await.map_err(|_| FileTrouble::Unreadable)?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// A file name from a space's name: letters and digits kept (any script), the rest as `-`.
pub fn file_name(space_name: &str, extension: &str) -> String {
    let stem: String = space_name.trim().chars().map(|c| if c.is_alphanumeric() { c } else { '-' }).collect();
    let stem = stem.trim_matches('-');
    format!("{}.{extension}", if stem.is_empty() { "space" } else { stem })
}
