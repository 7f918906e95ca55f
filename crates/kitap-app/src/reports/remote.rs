//! Remote users: the readers' self-service actions of a period, from the
//! append-only `reader_activity` log, at the home library each reader had
//! when acting.

use kitap_db::reader_activity;
use kitap_db::DbConnection;
use kitap_domain::BranchId;
use kitap_stats::{Scope, SelfServiceFact};

use super::{next_day, start_of, CHUNK};
use crate::AppError;

pub(super) fn load_self_service(
    conn: &mut DbConnection,
    scope: &Scope,
) -> Result<Vec<SelfServiceFact>, AppError> {
    let ids: Vec<BranchId> = scope.libraries.iter().map(|(id, _)| *id).collect();
    let period = (start_of(scope.from), start_of(next_day(scope.to)?));
    let mut out = Vec::new();
    let mut after = None;
    loop {
        let chunk = reader_activity::facts(conn, period, &ids, after, CHUNK)?;
        let full = chunk.len() as i64 == CHUNK;
        after = chunk.last().map(|a| a.id);
        out.extend(chunk.into_iter().map(|a| SelfServiceFact {
            day: crate::circulation::local_day(a.at.utc()),
            library: a.branch_id,
            reader: a.reader_id,
        }));
        if !full {
            return Ok(out);
        }
    }
}
