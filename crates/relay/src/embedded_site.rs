//! The built site compiled into the binary (cargo feature `embedded-site`): unpacked at start into
//! a private temporary folder and served from there exactly as a `--site` folder is, so both
//! carry the same headers (precompressed copies, caching, ETags).

use std::io;
use std::path::Path;
use std::time::SystemTime;

use tempfile::TempDir;

#[cfg(feature = "embedded-site")]
static SITE: include_dir::Dir<'static> = include_dir::include_dir!("$LINLI_EMBEDDED_SITE");

/// When the embedded site was built (seconds since 1970): every unpacked file carries this date.
#[cfg(feature = "embedded-site")]
const BUILT: &str = env!("LINLI_EMBEDDED_SITE_BUILT");

/// Unpacks the embedded site into a new private folder (removed when the value is dropped);
/// `None` when the binary carries no site.
pub fn unpack() -> io::Result<Option<TempDir>> {
    #[cfg(feature = "embedded-site")]
    {
        let folder = tempfile::Builder::new().prefix("linli-site-").tempdir()?;
        let built = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(BUILT.parse().unwrap_or(0));
        write_dir(&SITE, folder.path(), built)?;
        Ok(Some(folder))
    }
    #[cfg(not(feature = "embedded-site"))]
    Ok(None)
}

#[cfg(feature = "embedded-site")]
fn write_dir(dir: &include_dir::Dir<'static>, root: &Path, built: SystemTime) -> io::Result<()> {
    for file in dir.files() {
        let path = root.join(file.path());
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        write_dated(&path, file.contents(), built)?;
    }
    for sub in dir.dirs() {
        write_dir(sub, root, built)?;
    }
    Ok(())
}

#[cfg_attr(not(feature = "embedded-site"), allow(dead_code, reason = "used by the embedded site and the tests"))]
/// Writes a file and sets its modification time (the ETag and `Last-Modified` come from it).
fn write_dated(path: &Path, contents: &[u8], modified: SystemTime) -> io::Result<()> {
    std::fs::write(path, contents)?;
    std::fs::File::options().write(true).open(path)?.set_modified(modified)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_written_file_carries_the_given_date() {
        let dir = tempfile::tempdir().unwrap();
        let when = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let path = dir.path().join("index.html");
        write_dated(&path, b"<p>hi</p>", when).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"<p>hi</p>");
        assert_eq!(std::fs::metadata(&path).unwrap().modified().unwrap(), when);
    }
}
