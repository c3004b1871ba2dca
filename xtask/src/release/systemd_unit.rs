//! The systemd unit shipped in `deploy/`: the settings it promises, and `systemd-analyze`'s
//! verdict on it where it is installed.

use std::path::Path;
use std::process::Command;

/// The systemd unit shipped beside the binaries, relative to the repository root.
pub(super) const UNIT_FILE: &str = "deploy/linli-relay.service";
/// Where the unit expects the binary (`ExecStart=`); checks point it at a real one instead.
const UNIT_BINARY: &str = "/usr/local/bin/linli-relay";
/// The highest `systemd-analyze security` exposure the unit may have (measured: 1.4 of 10).
pub(super) const MAX_UNIT_EXPOSURE: f32 = 2.0;

/// Settings the unit must keep, as `(key, value)` in `[Service]`; an empty value: any.
const PROMISED_SETTINGS: [(&str, &str); 13] = [
    ("ExecStart", UNIT_BINARY),
    ("EnvironmentFile", "-/etc/linli/relay.env"),
    ("Environment", "LINLI_DATA=/var/lib/linli"),
    ("DynamicUser", "yes"),
    ("StateDirectory", "linli"),
    ("ProtectSystem", "strict"),
    ("ProtectHome", "yes"),
    ("PrivateTmp", "yes"),
    ("NoNewPrivileges", "yes"),
    ("AmbientCapabilities", "CAP_NET_BIND_SERVICE"),
    ("CapabilityBoundingSet", "CAP_NET_BIND_SERVICE"),
    ("Restart", "on-failure"),
    ("MemoryMax", ""),
];

/// The `key=value` settings of one section of a unit file, in order (comments left out).
pub(super) fn unit_settings<'a>(unit: &'a str, wanted_section: &str) -> Vec<(&'a str, &'a str)> {
    let mut section = "";
    let mut settings = Vec::new();
    for line in unit.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = name;
        } else if section == wanted_section
            && let Some((key, value)) = line.split_once('=')
        {
            settings.push((key.trim(), value.trim()));
        }
    }
    settings
}

/// Fails unless the unit runs the relay from [`UNIT_BINARY`] with the sandbox and state folder
/// the release promises (whatever systemd-analyze is there to say).
pub(super) fn unit_keeps_its_promises(unit: &str) -> Result<(), String> {
    let settings = unit_settings(unit, "Service");
    let missing: Vec<String> = PROMISED_SETTINGS
        .iter()
        .filter(|(key, value)| {
            !settings.iter().any(|(k, v)| k == key && if *key == "ExecStart" { v.split_whitespace().next() == Some(value) } else { value.is_empty() || v == value })
        })
        .map(|(key, value)| format!("{key}={value}"))
        .collect();
    if !missing.is_empty() {
        return Err(format!("{UNIT_FILE} lacks {}", missing.join(", ")));
    }
    Ok(())
}

/// The unit as systemd-analyze should read it: `ExecStart=` pointed at `binary`, which exists.
pub(super) fn unit_with_binary(unit: &str, binary: &Path) -> String {
    unit.replace(&format!("ExecStart={UNIT_BINARY}"), &format!("ExecStart={}", binary.display()))
}

#[derive(Debug, PartialEq)]
pub(super) enum UnitCheck {
    Verified,
    /// systemd-analyze is not installed.
    Unavailable,
}

/// `systemd-analyze verify` on a copy of the unit whose ExecStart is `binary`. Fails on an error
/// and on every complaint about the unit (an unknown key or a bad value is only a warning to
/// systemd, which then ignores the line: a misspelt sandbox setting would silently not apply).
pub(super) fn verify_unit(unit: &str, binary: &Path, scratch: &Path) -> Result<UnitCheck, String> {
    let copy = scratch.join("linli-relay.service");
    std::fs::write(&copy, unit_with_binary(unit, binary)).map_err(|e| format!("{}: {e}", copy.display()))?;
    // --man=no: the Documentation= pages need not be installed for the unit to be right.
    let output = match Command::new("systemd-analyze").args(["verify", "--man=no"]).arg(&copy).output() {
        Ok(output) => output,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(UnitCheck::Unavailable),
        Err(error) => return Err(format!("systemd-analyze: {error}")),
    };
    let said = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    let complaints: Vec<&str> = said.lines().filter(|line| line.contains("linli-relay.service")).collect();
    if !output.status.success() || !complaints.is_empty() {
        return Err(format!("systemd-analyze verify {UNIT_FILE} ({}):\n{said}", output.status));
    }
    Ok(UnitCheck::Verified)
}

/// The unit's `systemd-analyze security --offline=true` exposure (0 to 10, lower is safer);
/// `None` where systemd-analyze or its offline mode (systemd 250 and later) is missing. Fails
/// above [`MAX_UNIT_EXPOSURE`].
pub(super) fn unit_exposure(unit: &str, binary: &Path, scratch: &Path) -> Result<Option<f32>, String> {
    let copy = scratch.join("linli-relay.service");
    std::fs::write(&copy, unit_with_binary(unit, binary)).map_err(|e| format!("{}: {e}", copy.display()))?;
    let Ok(output) = Command::new("systemd-analyze").args(["security", "--offline=true", "--no-pager"]).arg(&copy).output() else {
        return Ok(None);
    };
    let said = String::from_utf8_lossy(&output.stdout);
    let Some(exposure) = said.lines().find_map(|line| {
        line.split_once("Overall exposure level for linli-relay.service:").and_then(|(_, rest)| rest.split_whitespace().next()).and_then(|score| score.parse::<f32>().ok())
    }) else {
        return Ok(None);
    };
    if exposure > MAX_UNIT_EXPOSURE {
        let weak: Vec<&str> = said.lines().filter(|line| line.trim_start().starts_with('✗')).collect();
        return Err(format!("{UNIT_FILE}: systemd-analyze security exposure {exposure} is above {MAX_UNIT_EXPOSURE}; what it counts against it:\n{}", weak.join("\n")));
    }
    Ok(Some(exposure))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    use crate::release::work_folders::scratch_dir;
    use crate::shell::root;

    fn shipped_unit() -> String {
        std::fs::read_to_string(root().join(UNIT_FILE)).expect("the unit file")
    }

    /// A test's own scratch folder.
    fn test_scratch(name: &str) -> PathBuf {
        scratch_dir(&format!("test-{name}")).expect("a scratch folder")
    }

    #[test]
    fn the_shipped_unit_keeps_its_promises() {
        let unit = shipped_unit();
        unit_keeps_its_promises(&unit).unwrap();
        let settings = unit_settings(&unit, "Service");
        let state = settings.iter().find(|(k, _)| *k == "StateDirectory").unwrap().1;
        assert!(settings.contains(&("Environment", &*format!("LINLI_DATA=/var/lib/{state}"))), "LINLI_DATA is the state folder");
    }

    #[test]
    fn a_unit_without_a_promised_setting_is_refused() {
        let weaker = shipped_unit().replace("ProtectSystem=strict", "ProtectSystem=full");
        let error = unit_keeps_its_promises(&weaker).unwrap_err();
        assert!(error.contains("ProtectSystem=strict"), "{error}");
        let commented = shipped_unit().replace("\nDynamicUser=yes", "\n#DynamicUser=yes");
        assert!(unit_keeps_its_promises(&commented).is_err());
    }

    #[test]
    fn systemd_analyze_accepts_the_shipped_unit() {
        let scratch = test_scratch("verify");
        // Any real executable will do as ExecStart: this test's own binary.
        let binary = std::env::current_exe().unwrap();
        match verify_unit(&shipped_unit(), &binary, &scratch).unwrap() {
            UnitCheck::Verified => {
                let exposure = unit_exposure(&shipped_unit(), &binary, &scratch).unwrap();
                println!("exposure: {exposure:?}");
            }
            UnitCheck::Unavailable => println!("systemd-analyze is not installed; skipped"),
        }
        let _ = std::fs::remove_dir_all(&scratch);
    }

    #[test]
    fn systemd_analyze_refuses_a_misspelt_or_bad_setting() {
        let scratch = test_scratch("misspelt");
        let binary = std::env::current_exe().unwrap();
        for broken in [
            shipped_unit().replace("ProtectHome=yes", "ProtectHom=yes"),
            shipped_unit().replace("MemoryMax=512M", "MemoryMax=plenty"),
            shipped_unit().replace("[Service]", "[Servic]"),
        ] {
            match verify_unit(&broken, &binary, &scratch) {
                Err(error) => assert!(error.contains("linli-relay.service"), "{error}"),
                Ok(UnitCheck::Unavailable) => println!("systemd-analyze is not installed; skipped"),
                Ok(UnitCheck::Verified) => panic!("systemd-analyze let a broken unit through"),
            }
        }
        // And a missing binary is an error, which is why the checks point ExecStart at a real one.
        let missing = scratch.join("no-such-relay");
        assert!(!matches!(verify_unit(&shipped_unit(), &missing, &scratch), Ok(UnitCheck::Verified)));
        let _ = std::fs::remove_dir_all(&scratch);
    }
}
