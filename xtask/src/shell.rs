//! Running commands with a clear line for each step and its duration.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// The repository root (xtask lives one folder below it).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask is inside the repository").to_path_buf()
}

/// One named step of a command.
pub struct Step {
    name: String,
}

impl Step {
    pub fn new(name: &str) -> Self {
        println!("\n==> {name}");
        Step { name: name.to_owned() }
    }

    /// Runs `program` in the repository root; fails if it exits non-zero.
    pub fn run(self, program: &str, args: &[&str], env: &[(&str, &str)]) -> Result<(), String> {
        self.run_in(&root(), program, args, env)
    }

    #[allow(clippy::disallowed_methods, reason = "xtask runs natively, where Instant::now works")]
    pub fn run_in(self, dir: &Path, program: &str, args: &[&str], env: &[(&str, &str)]) -> Result<(), String> {
        let started = Instant::now();
        let status = Command::new(program).args(args).envs(env.iter().copied()).current_dir(dir).status().map_err(|e| format!("{}: cannot start `{program}`: {e}", self.name))?;
        let took = started.elapsed().as_secs_f32();
        if status.success() {
            println!("<== {} ({took:.1} s)", self.name);
            Ok(())
        } else {
            Err(format!("{} failed ({status}) after {took:.1} s", self.name))
        }
    }
}

/// The first line a command prints, or `None` if it cannot run.
pub fn output_of(program: &str, args: &[&str]) -> Option<String> {
    let output = Command::new(program).args(args).output().ok()?;
    output.status.success().then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

/// Runs a program in `dir` and returns what it printed (its errors go to the terminal).
pub fn captured(dir: &Path, program: &str, args: &[&str], env: &[(&str, &str)]) -> Result<String, String> {
    let output = Command::new(program).current_dir(dir).args(args).envs(env.iter().copied()).stderr(Stdio::inherit()).output().map_err(|e| format!("{program}: {e}"))?;
    if !output.status.success() {
        return Err(format!("{program} {} failed ({})", args.join(" "), output.status));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}
