//! Whether a built binary is for the right architecture and static: read from its ELF header.

use super::targets::ReleaseTarget;

/// What the ELF header and program headers say that matters here.
#[derive(Debug, PartialEq)]
pub(super) struct ElfFacts {
    machine: u16,
    /// A `PT_INTERP` program header: the binary needs a dynamic loader (and so a libc) on the box.
    has_interpreter: bool,
}

/// Reads a 64-bit little-endian ELF file's machine and whether it asks for an interpreter.
pub(super) fn elf_facts(bytes: &[u8]) -> Result<ElfFacts, String> {
    const PT_INTERP: u32 = 3;
    if bytes.get(..4) != Some(b"\x7fELF") {
        return Err("not an ELF file".to_owned());
    }
    if bytes.get(4..6) != Some(&[2, 1]) {
        return Err("not a 64-bit little-endian ELF file".to_owned());
    }
    let u16_at = |at: usize| bytes.get(at..at + 2).map(|b| u16::from_le_bytes([b[0], b[1]])).ok_or("truncated ELF header");
    let machine = u16_at(18)?;
    let program_headers = bytes.get(32..40).map(|b| u64::from_le_bytes(b.try_into().expect("8 bytes"))).ok_or("truncated ELF header")?;
    let entry_size = usize::from(u16_at(54)?);
    let count = usize::from(u16_at(56)?);
    let mut has_interpreter = false;
    for index in 0..count {
        let at = usize::try_from(program_headers).map_err(|_| "odd program header offset")? + index * entry_size;
        let kind = bytes.get(at..at + 4).map(|b| u32::from_le_bytes(b.try_into().expect("4 bytes"))).ok_or("truncated program headers")?;
        has_interpreter |= kind == PT_INTERP;
    }
    Ok(ElfFacts { machine, has_interpreter })
}

/// Fails unless the binary is for the target's architecture and needs no dynamic loader.
pub(super) fn check_static(bytes: &[u8], target: &ReleaseTarget) -> Result<(), String> {
    let facts = elf_facts(bytes)?;
    if facts.machine != target.elf_machine {
        return Err(format!("built for ELF machine {}, expected {} ({})", facts.machine, target.elf_machine, target.arch));
    }
    if facts.has_interpreter {
        return Err("not static: it names an ELF interpreter (a dynamic loader)".to_owned());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::release::targets::TARGETS;

    /// A minimal 64-bit little-endian ELF header with program headers of the given types.
    fn tiny_elf(machine: u16, program_header_types: &[u32]) -> Vec<u8> {
        let mut bytes = vec![0u8; 64];
        bytes[..4].copy_from_slice(b"\x7fELF");
        bytes[4] = 2;
        bytes[5] = 1;
        bytes[18..20].copy_from_slice(&machine.to_le_bytes());
        bytes[32..40].copy_from_slice(&64u64.to_le_bytes());
        bytes[54..56].copy_from_slice(&56u16.to_le_bytes());
        bytes[56..58].copy_from_slice(&(program_header_types.len() as u16).to_le_bytes());
        for kind in program_header_types {
            let mut header = vec![0u8; 56];
            header[..4].copy_from_slice(&kind.to_le_bytes());
            bytes.extend(header);
        }
        bytes
    }

    #[test]
    fn elf_facts_tell_a_static_binary_from_a_dynamic_one() {
        // PT_LOAD, PT_DYNAMIC, PT_GNU_STACK: static-pie, no interpreter.
        assert_eq!(elf_facts(&tiny_elf(183, &[1, 2, 0x6474_e551])).unwrap(), ElfFacts { machine: 183, has_interpreter: false });
        assert_eq!(elf_facts(&tiny_elf(62, &[6, 3, 1])).unwrap(), ElfFacts { machine: 62, has_interpreter: true });
        let aarch64 = &TARGETS[1];
        assert!(check_static(&tiny_elf(183, &[1]), aarch64).is_ok());
        assert!(check_static(&tiny_elf(62, &[1]), aarch64).unwrap_err().contains("machine"));
        assert!(check_static(&tiny_elf(183, &[3, 1]), aarch64).unwrap_err().contains("interpreter"));
        assert!(elf_facts(b"#!/bin/sh\n").is_err());
        assert!(elf_facts(&tiny_elf(62, &[1, 1])[..100]).is_err(), "truncated program headers");
    }

    #[test]
    fn this_test_binary_is_dynamically_linked() {
        let bytes = std::fs::read(std::env::current_exe().unwrap()).unwrap();
        let facts = elf_facts(&bytes).unwrap();
        assert!(facts.has_interpreter, "a glibc test binary names its loader");
        #[cfg(target_arch = "x86_64")]
        assert_eq!(facts.machine, 62);
    }
}
