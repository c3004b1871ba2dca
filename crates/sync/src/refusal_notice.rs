//! "Your changes were refused, and why": what a Linli peer tells the peer whose changes it
//! refused, as the data of an `ephemeral` message (CBOR `{"linliRefused": {"count", "reason"}}`).
//! Protocol "1" has no error that leaves a connection open; JavaScript peers pass the message to
//! their application as any ephemeral payload, and Linli peers show it on the device that made the
//! change. It is addressed to one peer and never forwarded.

use minicbor::{Decoder, Encoder};

const KEY: &str = "linliRefused";

/// The notice's bytes.
pub fn encode(count: usize, reason: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let mut e = Encoder::new(&mut out);
    let written: Result<(), minicbor::encode::Error<std::convert::Infallible>> = (|| {
        e.map(1)?.str(KEY)?.map(2)?;
        e.str("count")?.u64(count as u64)?;
        e.str("reason")?.str(reason)?;
        Ok(())
    })();
    written.expect("writing to a Vec cannot fail");
    out
}

/// Reads a notice: `(count, reason)`, or `None` if `data` is not one.
pub fn decode(data: &[u8]) -> Option<(u64, String)> {
    let mut d = Decoder::new(data);
    if d.map().ok()? != Some(1) || d.str().ok()? != KEY {
        return None;
    }
    let entries = d.map().ok()??;
    let (mut count, mut reason) = (None, None);
    for _ in 0..entries {
        match d.str().ok()? {
            "count" => count = Some(d.u64().ok()?),
            "reason" => reason = Some(d.str().ok()?.to_owned()),
            _ => d.skip().ok()?,
        }
    }
    Some((count?, reason?))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_notice_reads_back_and_other_payloads_are_not_notices() {
        let notice = super::encode(3, "notices/x/title: this part of the space is changed by organisers");
        assert_eq!(super::decode(&notice), Some((3, "notices/x/title: this part of the space is changed by organisers".to_owned())));
        assert_eq!(super::decode(b"\xa1\x6a__presence\xa0"), None);
        assert_eq!(super::decode(&[]), None);
    }
}
