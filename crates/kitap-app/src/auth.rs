//! Staff login, sessions and per-request authentication.

use chrono::Duration;
use kitap_db::login_failures;
use kitap_db::sessions::{self, NewSession};
use kitap_db::staff::{self, Staff};
use kitap_db::{branches, DbError};
use kitap_domain::{BranchCode, NewPassword, SessionId, Timestamp, Username};
use serde_json::json;

use crate::actor::may_act_for;
use crate::audit::record;
use crate::login_guard::{self, Barrier, LoginKey};
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

impl App {
    /// Checks a username and password and opens a session.
    ///
    /// A locked (username, address) pair or a throttled address is refused
    /// before any password work. Otherwise unknown username, wrong password
    /// and disabled account all answer `invalid_credentials` after the same
    /// argon2 work, and each counts against the pair and the address (unknown
    /// names too, so a lock says nothing about which names exist). The
    /// password is verified outside any transaction so the SQLite write lock
    /// is never held during hashing.
    pub fn login(&self, attempt: LoginAttempt) -> Result<LoginOutcome, AppError> {
        let username = attempt.username.parse::<Username>().ok();
        let key = LoginKey::new(username.as_ref(), attempt.client_addr.as_deref());
        let now = Timestamp::now();
        let barrier = self
            .db
            .read(|conn| login_guard::barrier(conn, &self.auth, &key, now))?;
        if let Some(barrier) = barrier {
            self.report_barrier(&key, barrier);
            return Err(barrier.into());
        }
        let found = match &username {
            Some(username) => self
                .db
                .read(|conn| staff::find_credentials(conn, username))?,
            None => None,
        };
        let Some((account, stored_hash)) = found else {
            self.hashing.verify_decoy(&attempt.password);
            if username.is_some() {
                tracing::warn!(username = %key.username, client_addr = %key.client_addr, "login for unknown username");
            }
            return Err(self.count_failure(&key, None, &attempt));
        };
        let password_ok = self.hashing.verify(&attempt.password, &stored_hash);
        if !(password_ok && account.active) {
            return Err(self.count_failure(&key, Some(&account), &attempt));
        }
        let rehash = self
            .hashing
            .needs_rehash(&stored_hash)
            .then(|| self.hashing.hash(&attempt.password))
            .transpose()?;
        self.open_session(account, &key, &attempt, rehash, now)
    }

    fn report_barrier(&self, key: &LoginKey, barrier: Barrier) {
        match barrier {
            Barrier::Locked(until) => {
                tracing::info!(username = %key.username, client_addr = %key.client_addr, until = %until, "login refused: pair locked");
            }
            Barrier::Throttled(seconds) => {
                tracing::warn!(client_addr = %key.client_addr, retry_after_seconds = seconds, "login throttled");
                if let Some(monitor) = &self.login_monitor {
                    monitor.throttled();
                }
            }
        }
    }

    /// Counts a failed login against its pair and says how to answer it:
    /// `invalid_credentials`, or `account_locked` when this failure locks the pair.
    fn count_failure(
        &self,
        key: &LoginKey,
        account: Option<&Staff>,
        attempt: &LoginAttempt,
    ) -> AppError {
        let actor = account.map(|a| account_actor(a, attempt.request_id.clone()));
        let now = Timestamp::now();
        let counted = self.db.write(|conn| {
            let forget = login_guard::forget_before(&self.auth, now);
            let failures = login_failures::count_failure(
                conn,
                &key.username,
                &key.client_addr,
                now,
                forget,
            )?;
            let lock = login_guard::lock_after(&self.auth, failures, now);
            if let Some(until) = lock {
                login_failures::lock(conn, &key.username, &key.client_addr, until)?;
            }
            if let (Some(account), Some(actor)) = (account, &actor) {
                let entity: (&str, &dyn ToString) = ("staff", &account.id);
                let after = json!({ "failed_logins": failures, "client_addr": key.client_addr });
                record(conn, actor, "login_failed", entity, None, Some(after))?;
                if let Some(until) = lock {
                    let after = json!({ "locked_until": until.to_string(), "client_addr": key.client_addr });
                    record(conn, actor, "account_locked", entity, None, Some(after))?;
                }
            }
            Ok::<_, AppError>(lock)
        });
        if let Some(monitor) = &self.login_monitor {
            monitor.failure();
        }
        match counted {
            Ok(None) => AppError::InvalidCredentials,
            Ok(Some(until)) => {
                tracing::warn!(username = %key.username, client_addr = %key.client_addr, until = %until, "login pair locked");
                if let Some(monitor) = &self.login_monitor {
                    monitor.pair_locked();
                }
                AppError::AccountLocked { until }
            }
            Err(err) => err,
        }
    }

    fn open_session(
        &self,
        account: Staff,
        key: &LoginKey,
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
            login_failures::clear_pair(conn, &key.username, &key.client_addr)?;
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

    /// Drops staff and reader sessions that expired more than a day ago, and login failures
    /// that are forgotten and hold no lock.
    pub fn purge_expired_sessions(&self) -> Result<usize, AppError> {
        let now = Timestamp::now();
        let cutoff = Timestamp::from_utc(now.utc() - Duration::days(1));
        let forget = login_guard::forget_before(&self.auth, now);
        Ok(self.db.write(|conn| {
            let sessions = sessions::delete_expired(conn, cutoff)?
                + kitap_db::reader_sessions::delete_expired(conn, cutoff)?;
            let failures = login_failures::purge(conn, forget, now)?;
            Ok::<_, DbError>(sessions + failures)
        })?)
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
