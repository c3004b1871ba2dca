//! `linli-relay backup DIR` and `linli-relay check`, run as the real binary against the real relay:
//! a backup made while clients keep writing (and the relay keeps compacting) restores, by copying
//! the folder back, every change the relay had acknowledged when the backup started; the check
//! finds damaged chunks, exits 1, and removes only old leftover temporary files.

mod support;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use linli_sync::DocumentId;
use linli_sync::automerge::transaction::Transactable;
use linli_sync::automerge::{AutoCommit, ChangeHash, ROOT};
use support::client::{Client, State};
use support::relay_process::RelayProcess;

/// Documents written to without pause during the backups, one change at a time: the relay stores
/// each change at once and compacts such young documents every few changes.
const BUSY_DOCUMENTS: u8 = 4;
/// Documents written before the backups only, so that there is more to copy.
const QUIET_DOCUMENTS: u8 = 12;
/// Most backups made in search of one that overlaps a compaction (the first nearly always does).
const MOST_BACKUPS: usize = 10;

/// Runs the relay binary with `args` and waits for it.
fn relay_command(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_linli-relay")).args(args).env("LINLI_LOG", "warn").output().expect("the relay binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Copies a folder as an admin would copy a backup back (`cp -r`).
fn copy_folder(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() {
            copy_folder(&entry.path(), &to.join(entry.file_name()));
        } else {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}

/// Every file under a folder, with its path.
fn files_under(folder: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(folder).into_iter().flatten().flatten() {
        if entry.file_type().unwrap().is_dir() {
            files.extend(files_under(&entry.path()));
        } else {
            files.push(entry.path());
        }
    }
    files
}

/// A document's folder in a data folder (NodeFS layout, see `folder_store.rs`).
fn document_folder(data: &Path, id: DocumentId) -> PathBuf {
    let id = id.to_string();
    data.join(&id[..2]).join(&id[2..])
}

/// The snapshot files of a document now (a compaction replaces them).
fn snapshot_names(data: &Path, id: DocumentId) -> BTreeSet<String> {
    let folder = document_folder(data, id).join("snapshot");
    std::fs::read_dir(folder).into_iter().flatten().filter_map(|entry| entry.ok()?.file_name().into_string().ok()).filter(|name| !name.ends_with(".tmp")).collect()
}

/// The latest of a writer's changes that the relay has acknowledged (reported in its heads).
fn acknowledged(state: &State, id: DocumentId, made: &HashMap<ChangeHash, usize>) -> Option<usize> {
    state.relay_heads.get(&id)?.iter().filter_map(|hash| made.get(hash).copied()).max()
}

fn a_document_counting_from_zero() -> AutoCommit {
    let mut doc = AutoCommit::new();
    doc.put(ROOT, "count", 0_i64).unwrap();
    doc.commit();
    doc
}

/// Counts up in a document until told to stop, one change at a time, each sent once the relay
/// has acknowledged the one before.
async fn keep_writing(client: Arc<Client>, id: DocumentId, stop: Arc<AtomicBool>) -> usize {
    let mut made = HashMap::from([(client.with(|s| s.repo.document(&id).unwrap().clone().get_heads()[0]), 0)]);
    let mut n = 0;
    while !stop.load(Ordering::Relaxed) {
        n += 1;
        client.change(id, |doc| {
            doc.put(ROOT, "count", n as i64).unwrap();
            doc.put(ROOT, "note", linli_sync::sha256_hex(format!("{id}/{n}").as_bytes())).unwrap();
        });
        made.insert(client.with(|s| s.repo.document(&id).unwrap().clone().get_heads()[0]), n);
        let caught_up = client.until_within(Duration::from_secs(10), |s| acknowledged(s, id, &made) == Some(n)).await;
        assert!(caught_up, "the relay acknowledges change {n} of a busy document");
    }
    n
}

/// Clients write to a few documents without pause, the relay compacting them again and again,
/// while `linli-relay backup DIR` runs as its own process. The heads the relay had acknowledged
/// for every document when the backup started are noted; the backup is repeated into the same
/// folder (bringing it up to date) until one ran while the relay compacted a document, usually
/// the first. `linli-relay check` finds the backup and the live data folder whole. Then the
/// backup is copied into a fresh folder, a fresh relay is started on it, and a fresh client
/// gets every acknowledged change of every document from it.
#[tokio::test(flavor = "multi_thread")]
async fn a_backup_made_under_write_load_restores_every_acknowledged_change() {
    // On disk rather than a tmpfs /tmp, so writes are fsynced for real and take their time.
    let data = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let backup = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let relay = RelayProcess::start_with(data.path(), "127.0.0.1:0", &["--rate".as_ref(), "100000".as_ref()]);

    let busy: Vec<DocumentId> = (0..BUSY_DOCUMENTS).map(|d| DocumentId::from_bytes([60 + d; 16])).collect();
    let quiet: Vec<DocumentId> = (0..QUIET_DOCUMENTS).map(|d| DocumentId::from_bytes([80 + d; 16])).collect();
    let scribe = Client::connect(&relay.ws_url(), "scribe").await;
    for (i, id) in quiet.iter().enumerate() {
        scribe.create(*id, a_document_counting_from_zero());
        for n in 1..=20 + i as i64 {
            scribe.change(*id, |doc| {
                doc.put(ROOT, "count", n).unwrap();
                doc.put(ROOT, "note", linli_sync::sha256_hex(format!("{id}/{n}").as_bytes())).unwrap();
            });
        }
    }
    let stop = Arc::new(AtomicBool::new(false));
    let mut writers = Vec::new();
    let mut clients = Vec::new();
    for (i, id) in busy.iter().enumerate() {
        let client = Arc::new(Client::connect(&relay.ws_url(), &format!("writer-{i}")).await);
        client.create(*id, a_document_counting_from_zero());
        writers.push(tokio::spawn(keep_writing(client.clone(), *id, stop.clone())));
        clients.push((*id, client));
    }
    let quiet_heads: BTreeMap<DocumentId, Vec<ChangeHash>> = scribe.with(|s| quiet.iter().map(|id| (*id, s.repo.document(id).unwrap().clone().get_heads())).collect());
    scribe.until(|s| quiet_heads.iter().all(|(id, heads)| s.relay_heads.get(id) == Some(heads))).await;
    // Let the busy documents grow until each has been compacted at least once.
    let first_snapshots: Vec<BTreeSet<String>> = busy.iter().map(|id| snapshot_names(data.path(), *id)).collect();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while busy.iter().zip(&first_snapshots).any(|(id, first)| snapshot_names(data.path(), *id) == *first) {
        assert!(tokio::time::Instant::now() < deadline, "the relay compacts every busy document within 10 s");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    // What the relay has acknowledged of each document: the heads it last reported to the
    // document's writer.
    let acknowledged_now = || -> BTreeMap<DocumentId, Vec<ChangeHash>> {
        let mut heads: BTreeMap<DocumentId, Vec<ChangeHash>> =
            clients.iter().map(|(id, client)| (*id, client.with(|s| s.relay_heads.get(id).cloned().unwrap_or_default()))).collect();
        heads.extend(scribe.with(|s| quiet.iter().map(|id| (*id, s.relay_heads.get(id).cloned().unwrap_or_default())).collect::<Vec<_>>()));
        heads
    };
    // Backups into the same folder, each bringing the one before up to date, until one ran
    // while the relay compacted (at least two).
    let mut overlapped = Vec::new();
    let mut saw_chunks_vanish = false;
    let mut acknowledged_at_start = BTreeMap::new();
    let mut last_backup = 0;
    for attempt in 1..=MOST_BACKUPS {
        last_backup = attempt;
        acknowledged_at_start = acknowledged_now();
        let before: Vec<BTreeSet<String>> = busy.iter().map(|id| snapshot_names(data.path(), *id)).collect();
        let (data_path, backup_path) = (data.path().to_owned(), backup.path().to_owned());
        let output = tokio::task::spawn_blocking(move || relay_command(&["backup".as_ref(), backup_path.as_os_str(), "--data".as_ref(), data_path.as_os_str()])).await.unwrap();
        let after: Vec<BTreeSet<String>> = busy.iter().map(|id| snapshot_names(data.path(), *id)).collect();
        let report = text(&output.stdout);
        assert!(output.status.success(), "backup {attempt} failed: {report}{}", text(&output.stderr));
        eprintln!("backup {attempt}: {}", report.trim());
        let documents = usize::from(BUSY_DOCUMENTS + QUIET_DOCUMENTS);
        assert!(report.contains(&format!("backed up {documents} documents")), "{report}");
        saw_chunks_vanish |= report.contains("compacted by the relay as they were copied");
        let compacted = before.iter().zip(&after).filter(|(b, a)| b != a).count();
        if compacted > 0 {
            eprintln!("backup {attempt}: the relay compacted {compacted} of {BUSY_DOCUMENTS} busy documents while it ran");
            overlapped.push(attempt);
        }
        if attempt >= 2 && overlapped.contains(&attempt) {
            break;
        }
    }
    eprintln!("backups that ran while the relay compacted: {overlapped:?}; chunks vanished under a backup: {saw_chunks_vanish}");
    assert!(overlapped.contains(&last_backup), "none of {MOST_BACKUPS} backups after the first ran while the relay compacted a document");

    // The check finds the live data folder (written to as it reads) and the backup whole.
    let live = tokio::task::spawn_blocking({
        let data_path = data.path().to_owned();
        move || relay_command(&["check".as_ref(), "--data".as_ref(), data_path.as_os_str()])
    })
    .await
    .unwrap();
    assert!(live.status.success(), "check of the live folder: {}{}", text(&live.stdout), text(&live.stderr));
    stop.store(true, Ordering::Relaxed);
    for writer in writers {
        let changes = writer.await.unwrap();
        assert!(changes > 0);
    }
    relay.kill();
    let checked = relay_command(&["check".as_ref(), "--data".as_ref(), backup.path().as_os_str()]);
    assert!(checked.status.success(), "check of the backup: {}{}", text(&checked.stdout), text(&checked.stderr));
    assert!(text(&checked.stdout).contains("all readable"), "{}", text(&checked.stdout));
    let leftovers: Vec<PathBuf> = files_under(backup.path()).into_iter().filter(|p| p.to_string_lossy().ends_with(".tmp")).collect();
    assert!(leftovers.is_empty(), "no temporary file in the backup: {leftovers:?}");

    // Restore: copy the folder back, start a fresh relay on it, read every document.
    let restored = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    copy_folder(backup.path(), restored.path());
    assert_eq!(std::fs::read(restored.path().join("st/orage-adapter-id")).unwrap(), std::fs::read(data.path().join("st/orage-adapter-id")).unwrap(), "the storage ID comes along");
    let relay = RelayProcess::start(restored.path(), "127.0.0.1:0");
    let reader = Client::connect(&relay.ws_url(), "reader").await;
    for (id, heads) in &acknowledged_at_start {
        assert!(!heads.is_empty(), "the relay had acknowledged something of {id}");
        reader.find(*id);
        let has_them = |s: &State| {
            s.repo.document(id).is_some_and(|doc| {
                let mut doc = doc.clone();
                heads.iter().all(|head| doc.get_change_by_hash(head).is_some())
            })
        };
        assert!(
            reader.until_within(Duration::from_secs(10), has_them).await,
            "the restored relay lacks changes of the {} document {id} that the relay acknowledged before the backup started",
            if busy.contains(id) { "busy" } else { "quiet" }
        );
    }
    // The restored relay takes new changes.
    reader.change(busy[0], |doc| {
        doc.put(ROOT, "after the restore", true).unwrap();
    });
    let heads = reader.with(|s| s.repo.document(&busy[0]).unwrap().clone().get_heads());
    reader.until(|s| s.relay_heads.get(&busy[0]) == Some(&heads)).await;
}

/// The files of a document's chunks of one kind.
fn chunk_files(data: &Path, id: DocumentId, kind: &str) -> Vec<PathBuf> {
    files_under(&document_folder(data, id).join(kind)).into_iter().filter(|p| !p.to_string_lossy().ends_with(".tmp")).collect()
}

/// A data folder written by the real relay is checked healthy (exit 0). Then one document's
/// snapshot is cut short, another's replaced by random bytes, and two temporary files are left
/// as a killed write leaves them, one dated an hour ago and one just now: the check names both
/// damaged files, exits 1, removes the old temporary file and keeps the fresh one, and changes
/// neither damaged file.
#[tokio::test(flavor = "multi_thread")]
async fn check_reports_damaged_chunks_exits_1_and_removes_only_old_temporary_files() {
    let data = tempfile::tempdir().unwrap();
    let relay = RelayProcess::start(data.path(), "127.0.0.1:0");
    let client = Client::connect(&relay.ws_url(), "writer").await;
    let (cut, garbled) = (DocumentId::from_bytes([101; 16]), DocumentId::from_bytes([102; 16]));
    for id in [cut, garbled] {
        client.create(id, a_document_counting_from_zero());
        for n in 1..=5_i64 {
            client.change(id, |doc| {
                doc.put(ROOT, "count", n).unwrap();
            });
        }
        let heads = client.with(|s| s.repo.document(&id).unwrap().clone().get_heads());
        client.until(|s| s.relay_heads.get(&id) == Some(&heads)).await;
    }
    relay.kill();

    let healthy = relay_command(&["check".as_ref(), "--data".as_ref(), data.path().as_os_str()]);
    assert!(healthy.status.success(), "{}{}", text(&healthy.stdout), text(&healthy.stderr));
    assert!(text(&healthy.stdout).starts_with("checked 2 documents,"), "{}", text(&healthy.stdout));
    assert!(text(&healthy.stdout).contains("all readable"), "{}", text(&healthy.stdout));

    let cut_file = chunk_files(data.path(), cut, "snapshot").pop().expect("a stored document has a snapshot");
    let whole = std::fs::read(&cut_file).unwrap();
    std::fs::write(&cut_file, &whole[..whole.len() / 2]).unwrap();
    let garbled_file = chunk_files(data.path(), garbled, "snapshot").pop().unwrap();
    let length = std::fs::read(&garbled_file).unwrap().len();
    let random: Vec<u8> = (0..length).flat_map(|i| linli_sync::sha256_hex(&i.to_le_bytes()).into_bytes()).take(length).collect();
    std::fs::write(&garbled_file, &random).unwrap();
    let folder = document_folder(data.path(), cut).join("incremental");
    std::fs::create_dir_all(&folder).unwrap();
    let (old, fresh) = (folder.join(format!(".{}.tmp", "c".repeat(64))), folder.join(format!(".{}.tmp", "d".repeat(64))));
    std::fs::write(&old, b"half a chunk").unwrap();
    std::fs::write(&fresh, b"half a chunk").unwrap();
    let written = std::fs::metadata(&fresh).unwrap().modified().unwrap();
    std::fs::File::options().write(true).open(&old).unwrap().set_modified(written - Duration::from_secs(3600)).unwrap();

    let damaged = relay_command(&["check".as_ref(), "--data".as_ref(), data.path().as_os_str()]);
    let report = text(&damaged.stdout);
    assert_eq!(damaged.status.code(), Some(1), "{report}{}", text(&damaged.stderr));
    assert!(report.contains("2 cannot be read"), "{report}");
    for file in [&cut_file, &garbled_file] {
        assert!(report.contains(&file.display().to_string()), "the report names {}: {report}", file.display());
    }
    assert!(report.contains("removed 1 leftover temporary file"), "{report}");
    assert!(report.contains("left 1 temporary file younger than 5 minutes alone"), "{report}");
    assert!(!old.exists(), "the old temporary file is removed");
    assert!(fresh.exists(), "a fresh temporary file may be a write under way: it stays");
    assert_eq!(std::fs::read(&cut_file).unwrap(), whole[..whole.len() / 2], "a damaged chunk is left as it is");
    assert_eq!(std::fs::read(&garbled_file).unwrap(), random, "a damaged chunk is left as it is");
}
