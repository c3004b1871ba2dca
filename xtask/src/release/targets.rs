//! The platforms the release is built for.

use crate::setup;

/// One platform the release is built for.
pub(super) struct ReleaseTarget {
    pub(super) rust_target: &'static str,
    /// The name's architecture part: `linli-relay-<version>-<arch>-linux`.
    pub(super) arch: &'static str,
    /// The ELF header's `e_machine` for this architecture.
    pub(super) elf_machine: u16,
    /// What runs the binary on this (x86_64) machine; `None`: it runs natively.
    pub(super) runner: Option<&'static str>,
}

pub(super) const TARGETS: [ReleaseTarget; 2] = [
    ReleaseTarget { rust_target: setup::RELEASE_RUST_TARGETS[0], arch: "x86_64", elf_machine: 62, runner: None },
    ReleaseTarget { rust_target: setup::RELEASE_RUST_TARGETS[1], arch: "aarch64", elf_machine: 183, runner: Some(setup::QEMU_AARCH64) },
];
