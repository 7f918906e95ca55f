//! The distance table (edited by administrators through the API) and the
//! floating policy (configuration, by library code and material type).

use std::collections::BTreeSet;

use kitap_db::exchange::distances::{self, StoredDistance};
use kitap_db::{branches, DbConnection};
use kitap_domain::{BranchCode, BranchId, Role};
use kitap_exchange::FloatingPolicy;

use crate::config::ExchangeConfig;
use crate::{Actor, App, AppError, Principal};

/// One line of the distance table, by library code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Distance {
    pub from: String,
    pub to: String,
    pub distance: u32,
}

/// The floating policy with library codes resolved (unknown codes float nothing).
pub(crate) fn floating(
    conn: &mut DbConnection,
    cfg: &ExchangeConfig,
) -> Result<FloatingPolicy, AppError> {
    let mut libraries = BTreeSet::new();
    if !cfg.floating_libraries.is_empty() {
        for b in branches::list(conn)? {
            if cfg.floating_libraries.iter().any(|c| c == b.code.as_str()) {
                libraries.insert(b.id);
            }
        }
    }
    Ok(FloatingPolicy {
        libraries,
        material_types: cfg.floating_material_types.iter().cloned().collect(),
    })
}

fn code_of(list: &[branches::Branch], id: BranchId) -> String {
    list.iter()
        .find(|b| b.id == id)
        .map_or_else(|| id.to_string(), |b| b.code.to_string())
}

impl App {
    /// The id of the library with this code.
    pub fn library_id(&self, code: &str) -> Result<BranchId, AppError> {
        self.db.read(|conn| library(conn, code))
    }

    pub fn distances(&self, who: &Principal) -> Result<Vec<Distance>, AppError> {
        who.require_role(super::moves::WATCHERS)?;
        self.db.read(|conn| {
            let libs = branches::list(conn)?;
            Ok(distances::all(conn)?
                .into_iter()
                .map(|d| Distance {
                    from: code_of(&libs, d.from),
                    to: code_of(&libs, d.to),
                    distance: d.distance,
                })
                .collect())
        })
    }

    /// Replaces the distance table (administrators).
    pub fn set_distances(
        &self,
        who: &Principal,
        actor: &Actor,
        table: Vec<Distance>,
    ) -> Result<Vec<Distance>, AppError> {
        who.require_role(&[Role::Admin])?;
        self.db.write(|conn| {
            let mut rows = Vec::with_capacity(table.len());
            for d in &table {
                let from = library(conn, &d.from)?;
                let to = library(conn, &d.to)?;
                if from == to {
                    return Err(kitap_domain::ValueError::new(
                        "distances",
                        format!(
                            "{} to itself: a library is at distance 0 from itself",
                            d.from
                        ),
                    )
                    .into());
                }
                if rows
                    .iter()
                    .any(|r: &StoredDistance| r.from == from && r.to == to)
                {
                    return Err(kitap_domain::ValueError::new(
                        "distances",
                        format!("{} to {} is given twice", d.from, d.to),
                    )
                    .into());
                }
                rows.push(StoredDistance {
                    from,
                    to,
                    distance: d.distance,
                });
            }
            let before = distances::all(conn)?.len();
            distances::replace(conn, &rows)?;
            crate::audit::record(
                conn,
                actor,
                "set_distances",
                ("distances", &"all"),
                Some(serde_json::json!({ "rows": before })),
                Some(serde_json::json!({ "rows": rows.len() })),
            )?;
            Ok(table)
        })
    }
}

pub(crate) fn library(conn: &mut DbConnection, raw: &str) -> Result<BranchId, AppError> {
    let code: BranchCode = raw.parse()?;
    branches::find_by_code(conn, &code)
        .map(|b| b.id)
        .map_err(|e| match e {
            kitap_db::DbError::NotFound => AppError::NotFound { entity: "library" },
            other => other.into(),
        })
}
