//! The random bytes the core is given for keys and names: the browser's `crypto.getRandomValues`
//! in the worker, a seeded sequence in tests.

/// A source of random bytes.
pub struct Entropy(Box<dyn FnMut(&mut [u8])>);

impl Entropy {
    /// Bytes from `fill`, which fills the buffer it is given.
    pub fn new(fill: impl FnMut(&mut [u8]) + 'static) -> Self {
        Entropy(Box::new(fill))
    }

    pub fn bytes<const N: usize>(&mut self) -> [u8; N] {
        let mut bytes = [0u8; N];
        (self.0)(&mut bytes);
        bytes
    }

    /// `N` random bytes as lowercase hex.
    pub fn hex<const N: usize>(&mut self) -> String {
        self.bytes::<N>().iter().map(|b| format!("{b:02x}")).collect()
    }
}

impl std::fmt::Debug for Entropy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Entropy")
    }
}
