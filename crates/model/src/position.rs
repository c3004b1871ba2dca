//! Fractional positions: order items by a string key, so an item moves by changing one field.
//!
//! A card or column is one map entry with a `position`; moving it rewrites only that position,
//! so concurrent moves can never duplicate or lose it (the last writer's position wins). Two
//! devices that pick a position between the same neighbours at once may pick the same key;
//! readers then order by (position, ID), which is the same everywhere.

/// Where a card goes among the others in its column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place<'a> {
    /// After the last card (reads the column's positions: the cost grows with its length).
    End,
    /// The n-th slot among the other cards, 0 = top (reads the column's positions too).
    Index(usize),
    /// Between two neighbours whose positions the screen already has (constant cost): `None`
    /// for the top or the bottom of the column.
    Between(Option<&'a str>, Option<&'a str>),
}

/// The digits of a position, in order.
const DIGITS: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const BASE: usize = 62;

fn digit_value(byte: u8) -> usize {
    DIGITS.iter().position(|d| *d == byte).unwrap_or(0)
}

/// A position strictly between `before` and `after` (either may be absent: start or end of the
/// list). `entropy` spreads concurrent inserts apart. Positions never end in the lowest digit, so
/// there is always room before any of them.
pub fn between(before: Option<&str>, after: Option<&str>, entropy: u64) -> String {
    let lo: Vec<usize> = before.unwrap_or("").bytes().map(digit_value).collect();
    let hi: Option<Vec<usize>> = after.map(|a| a.bytes().map(digit_value).collect());
    let mut out = Vec::new();
    let mut entropy = entropy;
    let mut i = 0;
    loop {
        let l = lo.get(i).copied().unwrap_or(0);
        let h = match &hi {
            Some(hi) => hi.get(i).copied().unwrap_or(BASE),
            None => BASE,
        };
        if h > l + 1 {
            // Room at this digit: pick one strictly inside, nudged by entropy. Appending takes
            // small steps (many appends fit in one digit); inserting between two takes the middle
            // (repeated inserts at one place add a digit only every few times).
            let span = h - l - 1;
            let offset = if after.is_none() { entropy as usize % span.min(8) } else { (span - 1) / 2 + entropy as usize % span.min(3) };
            out.push(l + 1 + offset.min(span - 1));
            break;
        }
        // No room: keep the lower digit and continue deeper.
        out.push(l);
        if h == l + 1 {
            // From here on the upper bound no longer constrains us.
            let rest_lo: Vec<usize> = lo.iter().skip(i + 1).copied().collect();
            let tail = between_unbounded_above(&rest_lo, entropy, after.is_some());
            out.extend(tail);
            break;
        }
        i += 1;
        entropy /= 7;
    }
    out.into_iter().map(|d| DIGITS[d] as char).collect()
}

/// Digits strictly above `lo` (compared as a fraction), with no upper bound at this depth.
/// `middle` picks the middle of the room (for inserts before an item), else a small step (for
/// appends).
fn between_unbounded_above(lo: &[usize], entropy: u64, middle: bool) -> Vec<usize> {
    let mut out = Vec::new();
    let mut i = 0;
    loop {
        let l = lo.get(i).copied().unwrap_or(0);
        if l + 1 < BASE {
            let span = BASE - l - 1;
            let offset = if middle { (span - 1) / 2 + entropy as usize % span.min(3) } else { entropy as usize % span.min(8) };
            out.push(l + 1 + offset.min(span - 1));
            return out;
        }
        out.push(l);
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn always_strictly_between() {
        let mut keys = vec![between(None, None, 0)];
        // Insert repeatedly at the front, the back and between neighbours.
        for round in 0..300u64 {
            let n = keys.len();
            let at = (round as usize * 7919) % (n + 1);
            let before = if at == 0 { None } else { Some(keys[at - 1].as_str()) };
            let after = keys.get(at).map(String::as_str);
            let key = between(before, after, round * 31);
            if let Some(b) = before {
                assert!(key.as_str() > b, "{key} > {b}");
            }
            if let Some(a) = after {
                assert!(key.as_str() < a, "{key} < {a}");
            }
            assert!(!key.ends_with('0'));
            keys.insert(at, key);
        }
        assert!(keys.windows(2).all(|w| w[0] < w[1]));
        assert!(keys.iter().all(|k| k.len() < 40), "keys stay short");
    }

    #[test]
    fn repeated_inserts_at_one_place_grow_slowly() {
        let mut first = between(None, None, 1);
        for round in 0..100 {
            let key = between(None, Some(&first), round);
            assert!(key < first);
            first = key;
        }
        assert!(first.len() <= 40, "{first}");
        let mut last = between(None, None, 1);
        for round in 0..1000 {
            let key = between(Some(&last), None, round);
            assert!(key > last);
            last = key;
        }
        assert!(last.len() <= 200, "{}", last.len());
    }
}
