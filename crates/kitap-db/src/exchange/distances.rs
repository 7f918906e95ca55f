//! Distances between libraries (one row per ordered pair given; lookups
//! are symmetric in the policy crate).

use diesel::prelude::*;
use kitap_domain::BranchId;

use crate::schema::branch_distances;
use crate::{DbConnection, DbError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredDistance {
    pub from: BranchId,
    pub to: BranchId,
    pub distance: u32,
}

pub fn all(conn: &mut DbConnection) -> Result<Vec<StoredDistance>, DbError> {
    let rows: Vec<(String, String, i32)> = branch_distances::table
        .select((
            branch_distances::from_branch_id,
            branch_distances::to_branch_id,
            branch_distances::distance,
        ))
        .order((
            branch_distances::from_branch_id.asc(),
            branch_distances::to_branch_id.asc(),
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(from, to, d)| {
            let corrupt = |e: kitap_domain::ValueError| {
                DbError::Corrupt(format!("branch distance {from}->{to}: {e}"))
            };
            Ok(StoredDistance {
                from: from.parse().map_err(corrupt)?,
                to: to.parse().map_err(corrupt)?,
                distance: u32::try_from(d).unwrap_or(0),
            })
        })
        .collect()
}

/// Replaces the whole table (the admin screen saves the matrix at once).
pub fn replace(conn: &mut DbConnection, rows: &[StoredDistance]) -> Result<(), DbError> {
    diesel::delete(branch_distances::table).execute(conn)?;
    for r in rows {
        diesel::insert_into(branch_distances::table)
            .values((
                branch_distances::from_branch_id.eq(r.from.to_string()),
                branch_distances::to_branch_id.eq(r.to.to_string()),
                branch_distances::distance.eq(i32::try_from(r.distance).unwrap_or(i32::MAX)),
            ))
            .execute(conn)?;
    }
    Ok(())
}
