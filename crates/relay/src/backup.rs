//! `linli-relay backup DIR`: a consistent copy of the data folder, made while the relay runs.

use std::fmt;
use std::io;
use std::path::Path;

/// What a backup copied.
#[derive(Debug, Default)]
pub struct BackupReport {
    pub documents: usize,
    pub files_copied: usize,
}

impl fmt::Display for BackupReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "backed up {} documents ({} files copied)", self.documents, self.files_copied)
    }
}

/// Copies every document of `data` into `dest`.
pub fn copy_data_folder(_data: &Path, _dest: &Path) -> io::Result<BackupReport> {
    Err(io::Error::other("backup is not written yet"))
}
