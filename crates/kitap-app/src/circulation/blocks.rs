//! Manual blocks on readers: set with a reason, lifted with one; audited.

use kitap_db::blocks::{self, StoredBlock};
use kitap_db::{readers, DbError};
use kitap_domain::{BlockId, BlockKind, ReaderId, Timestamp};
use serde_json::json;

use super::readers::text;
use super::{reader_missing, READER_WRITERS};
use crate::audit::record as audit;
use crate::{Actor, App, AppError, Principal};

impl App {
    /// Blocks a reader by hand: every checkout and renewal refuses with
    /// `reader_blocked` until the block is lifted.
    pub fn block_reader(
        &self,
        who: &Principal,
        actor: &Actor,
        reader: ReaderId,
        reason: &str,
    ) -> Result<StoredBlock, AppError> {
        who.require_role(READER_WRITERS)?;
        let reason = text("reason", Some(reason), 500)?
            .ok_or_else(|| kitap_domain::ValueError::new("reason", "must not be empty"))?;
        let now = Timestamp::now();
        self.db.write(|conn| {
            readers::find(conn, reader).map_err(reader_missing)?;
            let block = StoredBlock {
                id: BlockId::new(),
                reader_id: reader,
                kind: BlockKind::Manual,
                reason,
                created_at: now,
                created_by: Some(who.staff.id),
                lifted_at: None,
                lifted_by: None,
                lift_reason: None,
            };
            blocks::insert(conn, &block)?;
            let after =
                json!({"reader_id": reader.to_string(), "kind": "manual", "reason": block.reason});
            audit(
                conn,
                actor,
                "block",
                ("reader_block", &block.id),
                None,
                Some(after),
            )?;
            Ok(block)
        })
    }

    /// The reader's active blocks, oldest first.
    pub fn reader_blocks(
        &self,
        _who: &Principal,
        reader: ReaderId,
    ) -> Result<Vec<StoredBlock>, AppError> {
        self.db.read(|conn| {
            readers::find(conn, reader).map_err(reader_missing)?;
            Ok(blocks::active(conn, reader)?)
        })
    }

    /// Lifts a block of this reader.
    pub fn lift_block(
        &self,
        who: &Principal,
        actor: &Actor,
        reader: ReaderId,
        block: BlockId,
        reason: Option<&str>,
    ) -> Result<(), AppError> {
        who.require_role(READER_WRITERS)?;
        let reason = text("reason", reason, 500)?;
        let now = Timestamp::now();
        self.db.write(|conn| {
            let active = blocks::active(conn, reader)?;
            if !active.iter().any(|b| b.id == block) {
                return Err(AppError::NotFound { entity: "block" });
            }
            match blocks::lift(conn, block, now, Some(who.staff.id), reason.as_deref()) {
                Ok(true) => {}
                Ok(false) | Err(DbError::NotFound) => {
                    return Err(AppError::NotFound { entity: "block" })
                }
                Err(other) => return Err(other.into()),
            }
            let after = json!({"reader_id": reader.to_string(), "lift_reason": reason});
            audit(
                conn,
                actor,
                "lift_block",
                ("reader_block", &block),
                None,
                Some(after),
            )?;
            Ok(())
        })
    }
}
