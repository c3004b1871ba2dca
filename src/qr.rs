//! QR codes as SVG, drawn in Rust (qrcodegen): one path of dark modules, crisp at any size and
//! on paper.

use qrcodegen::{QrCode, QrCodeEcc};

/// An SVG image of a QR code for `text`, or `None` if the text is too long for a QR code.
pub fn svg(text: &str) -> Option<String> {
    let code = QrCode::encode_text(text, QrCodeEcc::Medium).ok()?;
    let border = 4;
    let size = code.size();
    let mut path = String::with_capacity((size * size) as usize * 8);
    for y in 0..size {
        for x in 0..size {
            if code.get_module(x, y) {
                path.push_str(&format!("M{},{}h1v1h-1z", x + border, y + border));
            }
        }
    }
    let full = size + border * 2;
    Some(format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {full} {full}" shape-rendering="crispEdges" aria-hidden="true" focusable="false"><rect width="100%" height="100%" fill="#fff"/><path d="{path}" fill="#000"/></svg>"##
    ))
}
