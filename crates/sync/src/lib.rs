//! The automerge-repo sync protocol "1" for Linli: messages, their CBOR codec, storage keys, and a
//! sans-IO repo peer (events in, effects out) that the browser, the relay and the tests all drive.
//!
//! Nothing here touches a socket, a disk or a clock; see ARCHITECTURE.md for the invariants.

mod admission;
mod admission_job;
pub mod capability;
mod chunk_ledger;
pub mod codec;
mod contain;
mod document_id;
mod effects;
mod genuine;
pub mod home_cut;
pub mod home_relay;
mod keyring;
mod lineage;
pub mod link_proof;
pub mod link_seal;
pub mod member_key;
mod message;
pub mod past_write_keys;
pub mod refusal_notice;
mod repo;
pub mod rules;
mod seed_key;
mod signature_book;
pub mod sim;
pub mod space_file;
mod storage_chunks;
mod storage_key;
pub mod take_part_key;
mod vouching;

pub use admission::{NOT_SIGNED, Refused};
pub use admission_job::AdmissionJob;
pub use capability::{ChangeSignature, WriteKey};
pub use chunk_ledger::{ChunkLedger, UnreadableChunk};
pub use contain::{Panicked, contain};
pub use document_id::{DocumentId, DocumentIdError, URL_PREFIX};
pub use effects::{CloseReason, ConnId, Effects, RepoEvent, StorageOp};
pub use home_cut::Cut;
pub use home_relay::{Receipt, RelayKey};
pub use keyring::Access;
pub use member_key::{MemberKey, MemberSignature};
pub use message::{Message, PROTOCOL_V1, PeerId, PeerMetadata, RemoteHeads};
pub use repo::{Direction, Imported, Phase, Repo, RepoConfig, RepoError};
pub use rules::{ChangeRules, Reviewed, Rules, Tier};
pub use storage_key::{ChunkKey, ChunkKind, sha256_hex};
pub use take_part_key::TakePartKey;

pub use automerge;
