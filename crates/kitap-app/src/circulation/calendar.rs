//! Closed days and the calendar the desk computes due dates with.

use chrono::{NaiveDate, Weekday};
use kitap_circulation::Calendar;
use kitap_db::calendar::{self as closed_days, ClosedOn, StoredClosedDay};
use kitap_db::{DbConnection, DbError};
use kitap_domain::{BranchId, ClosedDayId, Role, ValueError};
use serde_json::json;

use super::readers::text;
use crate::audit::record as audit;
use crate::catalog::find_library;
use crate::{Actor, App, AppError, Principal};

/// A closed day to add: a library (none = every library) and a date or an
/// ISO weekday (1 = Monday .. 7 = Sunday).
#[derive(Debug, Clone, Default)]
pub struct NewClosedDay {
    pub library: Option<String>,
    pub date: Option<NaiveDate>,
    pub weekday: Option<u8>,
    pub reason: Option<String>,
}

pub(crate) fn weekday(iso: u8) -> Option<Weekday> {
    match iso {
        1 => Some(Weekday::Mon),
        2 => Some(Weekday::Tue),
        3 => Some(Weekday::Wed),
        4 => Some(Weekday::Thu),
        5 => Some(Weekday::Fri),
        6 => Some(Weekday::Sat),
        7 => Some(Weekday::Sun),
        _ => None,
    }
}

/// The calendar of one library: the system-wide closed days and its own.
pub(crate) fn calendar_for(conn: &mut DbConnection, branch: BranchId) -> Result<Calendar, DbError> {
    let days = closed_days::for_branch(conn, branch)?;
    let weekdays = days.iter().filter_map(|d| match d.on {
        ClosedOn::Weekday(w) => weekday(w),
        ClosedOn::Date(_) => None,
    });
    let dates = days.iter().filter_map(|d| match d.on {
        ClosedOn::Date(date) => Some(date),
        ClosedOn::Weekday(_) => None,
    });
    Ok(Calendar::new(
        weekdays.collect::<Vec<_>>(),
        dates.collect::<Vec<_>>(),
    ))
}

impl App {
    pub fn closed_days(&self, _who: &Principal) -> Result<Vec<StoredClosedDay>, AppError> {
        Ok(self.db.read(closed_days::list)?)
    }

    /// Adds a closed day (administrators).
    pub fn add_closed_day(
        &self,
        who: &Principal,
        actor: &Actor,
        new: NewClosedDay,
    ) -> Result<StoredClosedDay, AppError> {
        who.require_role(&[Role::Admin])?;
        let on = match (new.date, new.weekday) {
            (Some(date), None) => ClosedOn::Date(date),
            (None, Some(w)) if weekday(w).is_some() => ClosedOn::Weekday(w),
            (None, Some(_)) => {
                return Err(ValueError::new("weekday", "must be 1 (Monday) to 7 (Sunday)").into())
            }
            _ => return Err(ValueError::new("date", "give either a date or a weekday").into()),
        };
        let reason = text("reason", new.reason.as_deref(), 200)?;
        self.db.write(|conn| {
            let branch_id = match &new.library {
                Some(code) => Some(find_library(conn, code)?.id),
                None => None,
            };
            let day = StoredClosedDay {
                id: ClosedDayId::new(),
                branch_id,
                on,
                reason,
            };
            closed_days::insert(conn, &day).map_err(|err| match err {
                DbError::UniqueViolation(_) => AppError::conflict(
                    "closed_day_exists",
                    "this day is already closed for this library",
                ),
                other => other.into(),
            })?;
            let after = json!({
                "branch_id": day.branch_id.map(|b| b.to_string()),
                "date": new.date,
                "weekday": new.weekday,
                "reason": day.reason,
            });
            audit(
                conn,
                actor,
                "create",
                ("closed_day", &day.id),
                None,
                Some(after),
            )?;
            Ok(day)
        })
    }

    pub fn remove_closed_day(
        &self,
        who: &Principal,
        actor: &Actor,
        id: ClosedDayId,
    ) -> Result<(), AppError> {
        who.require_role(&[Role::Admin])?;
        self.db.write(|conn| {
            closed_days::delete(conn, id).map_err(|err| match err {
                DbError::NotFound => AppError::NotFound {
                    entity: "closed day",
                },
                other => other.into(),
            })?;
            audit(conn, actor, "delete", ("closed_day", &id), None, None)?;
            Ok(())
        })
    }
}
