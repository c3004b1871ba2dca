//! The relay's log of each document's heads as they change, with the relay's clock: how it answers
//! "what did your copy hold at time T?" with a signed cut (see `linli_sync::home_cut`).
//!
//! One file per document, `heads-logs/<document ID>` in the data folder (beside the documents'
//! folders, which keep the npm sync server's layout, not in them), one line per change of heads:
//! `<ms> <hex head>,<hex head>…`. Lines are appended and synced before the changes that moved the
//! heads are acknowledged, so a cut never leaves out a change the relay said it held. A line cut
//! short by a crash is skipped. The log begins when this relay first held the document (or first
//! loaded it with a log): for a moment before that it cannot say, and answers so.

use std::collections::HashMap;
use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::PathBuf;

use linli_sync::DocumentId;
use linli_sync::automerge::ChangeHash;

use crate::data_folder;
use crate::folder_store::FolderStore;

/// The heads logs of a data folder.
#[derive(Debug)]
pub struct HeadsLog {
    store: FolderStore,
    /// The last heads logged per document (read from its file the first time).
    last: HashMap<DocumentId, Vec<ChangeHash>>,
}

impl HeadsLog {
    pub fn new(store: FolderStore) -> Self {
        HeadsLog { store, last: HashMap::new() }
    }

    fn path(&self, document_id: &DocumentId) -> PathBuf {
        data_folder::heads_log(self.store.root(), document_id)
    }

    /// Logs the document's heads at `at` (ms), if they differ from the last logged.
    pub fn note(&mut self, document_id: DocumentId, at: u64, heads: &[ChangeHash]) -> io::Result<()> {
        let mut heads = heads.to_vec();
        heads.sort();
        if !self.last.contains_key(&document_id) {
            let text = self.text(&document_id)?;
            let logged = entries(&text).pop().map(|(_, heads)| heads);
            // (No log yet: nothing logged equals any heads, an empty list included.)
            self.last.insert(document_id, logged.unwrap_or_else(|| vec![ChangeHash([0; 32])]));
        }
        if self.last.get(&document_id) == Some(&heads) {
            return Ok(());
        }
        let path = self.path(&document_id);
        if let Some(folder) = path.parent() {
            fs::create_dir_all(folder)?;
        }
        let mut file = OpenOptions::new().create(true).read(true).append(true).open(&path)?;
        let cut_short = ends_unfinished(&mut file)?;
        // A line a crash cut short is ended first, so that it does not swallow this one.
        let line = format!("{}{at} {}\n", if cut_short { "\n" } else { "" }, heads.iter().map(ToString::to_string).collect::<Vec<_>>().join(","));
        file.write_all(line.as_bytes())?;
        file.sync_data()?;
        self.last.insert(document_id, heads);
        Ok(())
    }

    /// The heads the document had at `at`: those of the last line at or before it. `None` when
    /// the log begins after `at` (or there is none).
    pub fn held_at(&self, document_id: &DocumentId, at: u64) -> io::Result<Option<Vec<ChangeHash>>> {
        Ok(entries(&self.text(document_id)?).into_iter().take_while(|(when, _)| *when <= at).last().map(|(_, heads)| heads))
    }

    fn text(&self, document_id: &DocumentId) -> io::Result<String> {
        match fs::read_to_string(self.path(document_id)) {
            Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(String::new()),
            read => read,
        }
    }
}

/// Whether the file's last line lacks its newline (a crash cut it short).
fn ends_unfinished(file: &mut fs::File) -> io::Result<bool> {
    use std::io::{Read, Seek, SeekFrom};
    if file.metadata()?.len() == 0 {
        return Ok(false);
    }
    file.seek(SeekFrom::End(-1))?;
    let mut last = [0_u8];
    file.read_exact(&mut last)?;
    Ok(last[0] != b'\n')
}

/// Every whole line of a log, in order.
fn entries(text: &str) -> Vec<(u64, Vec<ChangeHash>)> {
    text.split_inclusive('\n').filter(|line| line.ends_with('\n')).filter_map(|line| parse(line.trim_end())).collect()
}

fn parse(line: &str) -> Option<(u64, Vec<ChangeHash>)> {
    let (at, heads) = line.split_once(' ')?;
    let heads = if heads.is_empty() { Vec::new() } else { heads.split(',').map(|h| h.parse().ok()).collect::<Option<Vec<_>>>()? };
    Some((at.parse().ok()?, heads))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_says_what_was_held_at_a_moment_and_only_from_when_it_began() {
        let dir = tempfile::tempdir().unwrap();
        let store = FolderStore::open(dir.path()).unwrap();
        let doc = DocumentId::from_bytes([7; 16]);
        let (a, b) = (ChangeHash([1; 32]), ChangeHash([2; 32]));
        let mut log = HeadsLog::new(store.clone());
        assert_eq!(log.held_at(&doc, 100).unwrap(), None, "no log: cannot say");
        log.note(doc, 100, &[a]).unwrap();
        log.note(doc, 150, &[a]).unwrap();
        log.note(doc, 200, &[b, a]).unwrap();
        assert_eq!(log.held_at(&doc, 99).unwrap(), None, "before the log began");
        assert_eq!(log.held_at(&doc, 100).unwrap(), Some(vec![a]));
        assert_eq!(log.held_at(&doc, 199).unwrap(), Some(vec![a]), "unchanged heads are not logged again");
        assert_eq!(log.held_at(&doc, 5_000).unwrap(), Some(vec![a, b]));
        // After a restart the log goes on where it was; a line cut short by a crash is skipped.
        let path = data_folder::heads_log(store.root(), &doc);
        let mut file = OpenOptions::new().append(true).open(&path).unwrap();
        file.write_all(b"300 0101").unwrap();
        let mut log = HeadsLog::new(store);
        log.note(doc, 400, &[a, b]).unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap().lines().count(), 3, "the same heads are not logged again after a restart");
        log.note(doc, 500, &[b]).unwrap();
        assert_eq!(log.held_at(&doc, 450).unwrap(), Some(vec![a, b]));
        assert_eq!(log.held_at(&doc, 500).unwrap(), Some(vec![b]), "the line after the one cut short is whole");
    }
}
