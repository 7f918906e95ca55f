//! Staff login, sessions and per-request authentication.

use chrono::Duration;
use kitap_db::sessions::{self, NewSession};
use kitap_db::staff::{self, Staff};
use kitap_db::{branches, DbError};
use kitap_domain::{BranchCode, NewPassword, SessionId, Timestamp, Username};
use serde_json::json;

use crate::actor::may_act_for;
use crate::audit::record;
use crate::{tokens, Actor, App, AppError, Principal};

#[derive(Debug, Clone)]
pub struct LoginAttempt {
    pub username: String,
    pub password: String,
    pub client_addr: Option<String>,
    pub user_agent: Option<String>,
    pub request_id: Option<String>,
}

#[derive(Debug, Clone)]
pub struct LoginOutcome {
    pub token: String,
    pub expires_at: Timestamp,
    pub staff: Staff,
}

enum Verdict {
    Refused,
    Locked(Timestamp),
}

impl App {
    /// Checks a username and password and opens a session.
    ///
    /// Unknown username, wrong password and disabled account all answer
    /// `invalid_credentials` after the same argon2 work. The password is
    /// verified outside any transaction so the SQLite write lock is never held
    /// during hashing.
    pub fn login(&self, attempt: LoginAttempt) -> Result<LoginOutcome, AppError> {
        let Ok(username) = attempt.username.parse::<Username>() else {
            self.hashing.verify_decoy(&attempt.password);
            return Err(AppError::InvalidCredentials);
        };
        let found = self
            .db
            .read(|conn| staff::find_credentials(conn, &username))?;
        let Some((account, stored_hash)) = found else {
            self.hashing.verify_decoy(&attempt.password);
            tracing::warn!(username = %username, "login for unknown username");
            return Err(AppError::InvalidCredentials);
        };
        let now = Timestamp::now();
        if let Some(until) = account.locked_until.filter(|until| *until > now) {
            return Err(AppError::AccountLocked { until });
        }
        let password_ok = self.hashing.verify(&attempt.password, &stored_hash);
        if !(password_ok && account.active) {
            return match self.record_failed_login(&account, &attempt)? {
                Verdict::Locked(until) => Err(AppError::AccountLocked { until }),
                Verdict::Refused => Err(AppError::InvalidCredentials),
            };
        }
        let rehash = self
            .hashing
            .needs_rehash(&stored_hash)
            .then(|| self.hashing.hash(&attempt.password))
            .transpose()?;
        self.open_session(account, &attempt, rehash, now)
    }

    fn record_failed_login(
        &self,
        account: &Staff,
        attempt: &LoginAttempt,
    ) -> Result<Verdict, AppError> {
        let max = i32::try_from(self.auth.max_failed_logins).unwrap_or(i32::MAX);
        let lockout = Duration::minutes(i64::from(self.auth.lockout_minutes));
        let actor = account_actor(account, attempt.request_id.clone());
        self.db
            .write(|conn| {
                let failures = staff::count_failed_login(conn, account.id)?;
                let after = json!({ "failed_logins": failures });
                record(
                    conn,
                    &actor,
                    "login_failed",
                    ("staff", &account.id),
                    None,
                    Some(after),
                )?;
                if failures < max {
                    return Ok::<_, AppError>(Verdict::Refused);
                }
                let until = Timestamp::from_utc(Timestamp::now().utc() + lockout);
                staff::lock_until(conn, account.id, until)?;
                let after = json!({ "locked_until": until.to_string() });
                record(
                    conn,
                    &actor,
                    "account_locked",
                    ("staff", &account.id),
                    None,
                    Some(after),
                )?;
                Ok(Verdict::Locked(until))
            })
            .inspect(|verdict| {
                if let Verdict::Locked(until) = verdict {
                    tracing::warn!(username = %account.username, until = %until, "account locked");
                }
            })
    }

    fn open_session(
        &self,
        account: Staff,
        attempt: &LoginAttempt,
        rehash: Option<String>,
        now: Timestamp,
    ) -> Result<LoginOutcome, AppError> {
        let issued = tokens::issue();
        let session_id = SessionId::new();
        let expires_at =
            Timestamp::from_utc(now.utc() + Duration::hours(i64::from(self.auth.session_hours)));
        let actor = account_actor(&account, attempt.request_id.clone());
        self.db.write(|conn| {
            staff::clear_failed_logins(conn, account.id)?;
            if let Some(hash) = &rehash {
                staff::set_password(conn, account.id, hash, now)?;
            }
            sessions::insert(
                conn,
                &NewSession {
                    id: session_id,
                    staff_id: account.id,
                    token_hash: &issued.hash,
                    created_at: now,
                    expires_at,
                    client_addr: attempt.client_addr.as_deref(),
                    user_agent: attempt.user_agent.as_deref(),
                },
            )?;
            let after = json!({ "session_id": session_id.to_string(), "expires_at": expires_at.to_string() });
            record(conn, &actor, "login", ("staff", &account.id), None, Some(after))?;
            Ok::<_, AppError>(())
        })?;
        Ok(LoginOutcome {
            token: issued.token,
            expires_at,
            staff: account,
        })
    }

    /// Resolves a bearer token (and the library the client says it acts for,
    /// by code) into a [`Principal`]. Without a library the home library is used.
    pub fn authenticate(
        &self,
        token: &str,
        acting_library: Option<&str>,
    ) -> Result<Principal, AppError> {
        if !tokens::looks_valid(token) {
            return Err(AppError::InvalidToken);
        }
        let token_hash = tokens::hash(token);
        let code = acting_library.map(str::parse::<BranchCode>).transpose()?;
        let (session, account, branch) = self.db.read(|conn| {
            let Some(session) = sessions::find_by_token_hash(conn, &token_hash)? else {
                return Err(AppError::InvalidToken);
            };
            let account = staff::find(conn, session.staff_id)?;
            let branch = match &code {
                Some(code) => branches::find_by_code(conn, code).map_err(|err| match err {
                    DbError::NotFound => AppError::NotFound { entity: "library" },
                    other => other.into(),
                })?,
                None => branches::find(conn, account.home_branch_id)?,
            };
            Ok((session, account, branch))
        })?;
        if !tokens::matches(token, &session.token_hash) {
            return Err(AppError::InvalidToken);
        }
        if session.revoked_at.is_some() || !account.active {
            return Err(AppError::TokenRevoked);
        }
        if session.expires_at <= Timestamp::now() {
            return Err(AppError::TokenExpired);
        }
        if !may_act_for(&account, branch.id) || !branch.active {
            return Err(AppError::LibraryDenied {
                library: branch.code.to_string(),
            });
        }
        Ok(Principal {
            session_id: session.id,
            staff: account,
            acting_branch: branch,
        })
    }

    /// Ends the caller's own session.
    pub fn logout(&self, who: &Principal, actor: &Actor) -> Result<(), AppError> {
        self.db.write(|conn| {
            sessions::revoke(conn, who.session_id, Timestamp::now())?;
            let before = json!({ "session_id": who.session_id.to_string() });
            record(
                conn,
                actor,
                "logout",
                ("staff", &who.staff.id),
                Some(before),
                None,
            )?;
            Ok(())
        })
    }

    /// A staff member changes their own password; every other session of
    /// theirs ends, the current one stays.
    pub fn change_own_password(
        &self,
        who: &Principal,
        actor: &Actor,
        current: &str,
        new: &str,
    ) -> Result<(), AppError> {
        let new_password = NewPassword::parse(new)?;
        let username = who.staff.username.clone();
        let found = self
            .db
            .read(|conn| staff::find_credentials(conn, &username))?;
        let Some((_, stored)) = found else {
            return Err(AppError::NotFound {
                entity: "staff account",
            });
        };
        if !self.hashing.verify(current, &stored) {
            return Err(AppError::InvalidCredentials);
        }
        let hash = self.hashing.hash(new_password.expose())?;
        self.db.write(|conn| {
            let now = Timestamp::now();
            staff::set_password(conn, who.staff.id, &hash, now)?;
            sessions::revoke_all_for(conn, who.staff.id, Some(who.session_id), now)?;
            record(
                conn,
                actor,
                "password_changed",
                ("staff", &who.staff.id),
                None,
                None,
            )?;
            Ok(())
        })
    }

    /// Drops sessions that expired more than a day ago.
    pub fn purge_expired_sessions(&self) -> Result<usize, AppError> {
        let cutoff = Timestamp::from_utc(Timestamp::now().utc() - Duration::days(1));
        Ok(self
            .db
            .write(|conn| sessions::delete_expired(conn, cutoff))?)
    }
}

fn account_actor(account: &Staff, request_id: Option<String>) -> Actor {
    Actor {
        staff_id: Some(account.id),
        name: account.username.to_string(),
        branch_id: Some(account.home_branch_id),
        request_id,
    }
}
