//! Event attendance (readings, meetings, exhibitions) entered by staff: the
//! visits report adds it to the visits counted at the desk.

use chrono::NaiveDate;
use kitap_db::stats::{self, Attendance};
use kitap_domain::{AttendanceId, BranchId, Role, Timestamp, ValueError};
use serde_json::json;

use crate::{Actor, App, AppError, Principal};

/// Who enters and reads attendance.
const ENTERERS: &[Role] = &[Role::Librarian, Role::Admin, Role::Manager];

/// The most attendees one entry may have: a typo guard.
const MAX_ATTENDEES: u32 = 100_000;

#[derive(Debug, Clone)]
pub struct NewAttendance {
    /// The library where the event was held (default: the acting library).
    pub library: Option<BranchId>,
    pub held_on: NaiveDate,
    pub name: String,
    pub attendees: u32,
}

impl App {
    /// Records the attendance of one event at a library the staff member
    /// may act for.
    pub fn record_attendance(
        &self,
        who: &Principal,
        actor: &Actor,
        new: NewAttendance,
    ) -> Result<Attendance, AppError> {
        who.require_role(ENTERERS)?;
        let name = new.name.trim().to_owned();
        if name.is_empty() || name.chars().count() > 500 {
            return Err(ValueError::new("name", "must be 1 to 500 characters").into());
        }
        if new.attendees > MAX_ATTENDEES {
            return Err(ValueError::new("attendees", "must be 0 to 100000").into());
        }
        if new.held_on > crate::circulation::today() {
            return Err(ValueError::new("held_on", "must not be in the future").into());
        }
        self.db.write(|conn| {
            let branch = match new.library {
                Some(id) => kitap_db::branches::find(conn, id).map_err(|e| match e {
                    kitap_db::DbError::NotFound => AppError::NotFound { entity: "library" },
                    other => other.into(),
                })?,
                None => who.acting_branch.clone(),
            };
            who.require_branch(&branch)?;
            let a = Attendance {
                id: AttendanceId::new(),
                branch_id: branch.id,
                held_on: new.held_on,
                name: name.clone(),
                attendees: new.attendees,
                created_by: Some(who.staff.id),
                created_at: Timestamp::now(),
            };
            stats::insert_attendance(conn, &a)?;
            crate::audit::record(
                conn,
                actor,
                "create",
                ("event_attendance", &a.id),
                None,
                Some(
                    json!({"library": branch.code.to_string(), "held_on": a.held_on,
                            "name": a.name, "attendees": a.attendees}),
                ),
            )?;
            Ok(a)
        })
    }

    /// Attendance entries held in `from..=to` at `libraries` (all when
    /// empty), at most 5000.
    pub fn list_attendance(
        &self,
        who: &Principal,
        from: NaiveDate,
        to: NaiveDate,
        libraries: Vec<BranchId>,
    ) -> Result<Vec<Attendance>, AppError> {
        who.require_role(ENTERERS)?;
        if to < from {
            return Err(ValueError::new("to", "must not be before from").into());
        }
        self.db.read(|conn| {
            let libraries = match libraries.is_empty() {
                true => kitap_db::branches::list(conn)?
                    .into_iter()
                    .map(|b| b.id)
                    .collect(),
                false => libraries,
            };
            let mut list = stats::attendance(conn, from, to, &libraries, None, 5_000)?;
            list.sort_by_key(|a| (a.held_on, a.id));
            Ok(list)
        })
    }
}
