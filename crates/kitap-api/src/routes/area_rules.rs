//! The knowledge-area rules in force (`[statistics] area_rules`) and the
//! reclassification of records after they change.

use actix_web::{get, post, web};
use kitap_app::catalog::Reclassification;
use kitap_app::reports::AreaRulesInfo;
use serde::Serialize;
use utoipa::ToSchema;

use super::run;
use crate::auth::Staff;
use crate::error::{ApiError, ErrorEnvelope};
use crate::state::ApiState;

#[derive(Debug, Serialize, ToSchema)]
pub struct RangeRuleDto {
    /// First two-digit public-library BBK division of the range.
    pub from: u8,
    /// Last division, included.
    pub to: u8,
    /// Report group: socio_political, natural_sciences, technology,
    /// agriculture, sport_arts, linguistics_literary, fiction or other.
    pub area: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PrefixRuleDto {
    /// Letter-table BBK prefix ("Ш6") or UDC prefix ("004"); the longest
    /// matching prefix wins.
    pub prefix: String,
    pub area: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AreaRulesDto {
    /// The rules' version id, stored with every record they classified.
    pub version: String,
    /// Records classified under another version, waiting for
    /// POST /admin/reclassify (or `kitap reclassify`).
    pub records_to_reclassify: i64,
    pub bbk_public: Vec<RangeRuleDto>,
    pub bbk_scientific: Vec<PrefixRuleDto>,
    pub udc: Vec<PrefixRuleDto>,
}

fn prefixes(rules: &[kitap_catalog::bbk::PrefixRule]) -> Vec<PrefixRuleDto> {
    rules
        .iter()
        .map(|r| PrefixRuleDto {
            prefix: r.prefix.clone(),
            area: r.area.as_str().to_owned(),
        })
        .collect()
}

fn dto(info: AreaRulesInfo) -> AreaRulesDto {
    let r = info.rules;
    AreaRulesDto {
        version: r.version,
        records_to_reclassify: info.records_to_reclassify,
        bbk_public: r
            .bbk_public
            .iter()
            .map(|x| RangeRuleDto {
                from: x.from,
                to: x.to,
                area: x.area.as_str().to_owned(),
            })
            .collect(),
        bbk_scientific: prefixes(&r.bbk_scientific),
        udc: prefixes(&r.udc),
    }
}

/// The knowledge-area rules the catalogue is classified by (managers,
/// administrators): BBK public-library ranges, BBK letter-table prefixes
/// and UDC prefixes to the report groups, with their version.
#[utoipa::path(
    tag = "statistics",
    security(("bearer" = [])),
    responses(
        (status = 200, body = AreaRulesDto),
        (status = 403, description = "role_denied", body = ErrorEnvelope),
    )
)]
#[get("/reports/area-rules")]
pub async fn get_rules(
    state: web::Data<ApiState>,
    staff: Staff,
) -> Result<web::Json<AreaRulesDto>, ApiError> {
    let info = run(&state, move |app| app.area_rules(&staff.principal)).await?;
    Ok(web::Json(dto(info)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReclassificationDto {
    /// The rules version the records now carry.
    pub version: String,
    /// Records whose group changed: each is a new record version (search
    /// index and audit log updated as for an edit).
    pub changed: u64,
    /// Records whose group is the same under these rules.
    pub unchanged: u64,
    /// Records edited meanwhile (an edit classifies them itself) or with
    /// unreadable MARC.
    pub skipped: u64,
}

/// Recompute the knowledge group of every record classified under another
/// version of the rules (administrators). Past loans keep the group they
/// were counted under, so reports of past periods do not change.
#[utoipa::path(
    tag = "statistics",
    security(("bearer" = [])),
    responses(
        (status = 200, body = ReclassificationDto),
        (status = 403, description = "role_denied", body = ErrorEnvelope),
    )
)]
#[post("/admin/reclassify")]
pub async fn reclassify(
    state: web::Data<ApiState>,
    staff: Staff,
) -> Result<web::Json<ReclassificationDto>, ApiError> {
    let done: Reclassification = run(&state, move |app| {
        app.reclassify(&staff.principal, &staff.actor)
    })
    .await?;
    Ok(web::Json(ReclassificationDto {
        version: done.version,
        changed: done.changed,
        unchanged: done.unchanged,
        skipped: done.skipped,
    }))
}
