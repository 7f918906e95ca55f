//! Reader self-service login (#5, point 7): card number + PIN, sessions of
//! their own (`reader_sessions`, tokens `ktr_...`), logout, PIN change.
//!
//! Guessing is braked as for staff (`login_guard`): failures count per
//! (card, client address) and lock that pair; an address failing on many
//! cards waits. Reader pairs live in `login_failures` under the key
//! `card:<number>` @ `opac:<address>` — no staff username has a ':' — so a
//! reading-room PC's guesses never slow down the desk at the same address.
//! An unknown card, a card without a PIN and a wrong PIN all answer
//! `invalid_credentials` after the same argon2 work. A PIN never reaches a
//! log, the audit log or an error message.

use chrono::Duration;
use kitap_circulation::{Refusal, RefusalCode};
use kitap_db::reader_sessions::{self, NewReaderSession};
use kitap_db::readers::{self, StoredReader};
use kitap_db::{login_failures, DbError};
use kitap_domain::{CardNumber, ReaderStatus, SessionId, Timestamp};
use serde_json::json;

use crate::audit::record;
use crate::circulation::{reader_pin, refused};
use crate::login_guard::{self, Barrier, LoginKey};
use crate::{tokens, Actor, App, AppError};

#[derive(Debug, Clone)]
pub struct ReaderLoginAttempt {
    pub card_number: String,
    pub pin: String,
    pub client_addr: Option<String>,
    pub user_agent: Option<String>,
    pub request_id: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ReaderLoginOutcome {
    pub token: String,
    pub expires_at: Timestamp,
    pub reader: StoredReader,
}

/// A reader authenticated by a self-service token, for this request.
#[derive(Debug, Clone)]
pub struct ReaderPrincipal {
    pub session_id: SessionId,
    pub reader: StoredReader,
}

impl ReaderPrincipal {
    /// The audit log's actor: no staff member, the reader by id (the card
    /// number stays out of the log).
    pub fn actor(&self, request_id: Option<String>) -> Actor {
        reader_actor(&self.reader, request_id)
    }
}

fn reader_actor(reader: &StoredReader, request_id: Option<String>) -> Actor {
    Actor {
        staff_id: None,
        name: format!("reader {}", reader.id),
        branch_id: None,
        request_id,
    }
}

/// Where a reader's failures are counted: apart from staff pairs and staff
/// addresses (see the module comment).
fn reader_key(card: Option<&CardNumber>, client_addr: Option<&str>) -> LoginKey {
    LoginKey {
        username: card.map(|c| format!("card:{c}")).unwrap_or_default(),
        client_addr: format!("opac:{}", client_addr.unwrap_or("unknown")),
    }
}

impl App {
    /// Checks a card number and PIN and opens a reader session. An archived
    /// (withdrawn) reader with the right PIN is told so (`reader_not_active`);
    /// a blocked reader logs in and sees the blocks.
    pub fn reader_login(
        &self,
        attempt: ReaderLoginAttempt,
    ) -> Result<ReaderLoginOutcome, AppError> {
        let card = attempt.card_number.parse::<CardNumber>().ok();
        let key = reader_key(card.as_ref(), attempt.client_addr.as_deref());
        let now = Timestamp::now();
        self.reader_barrier(&key, now)?;
        let found = match &card {
            Some(card) => self.db.read(|conn| with_pin(conn, card))?,
            None => None,
        };
        let Some((reader, stored)) = found else {
            self.hashing.verify_decoy(&attempt.pin);
            return Err(self.count_reader_failure(&key));
        };
        if !self.hashing.verify(&attempt.pin, &stored) {
            return Err(self.count_reader_failure(&key));
        }
        if reader.status != ReaderStatus::Active {
            let refusal = Refusal::from(RefusalCode::ReaderNotActive);
            return Err(refused(&refusal, std::slice::from_ref(&refusal)));
        }
        let rehash = self
            .hashing
            .needs_rehash(&stored)
            .then(|| self.hashing.hash(&attempt.pin))
            .transpose()?;
        self.open_reader_session(reader, &key, &attempt, rehash, now)
    }

    fn reader_barrier(&self, key: &LoginKey, now: Timestamp) -> Result<(), AppError> {
        let barrier = self
            .db
            .read(|conn| login_guard::barrier(conn, &self.auth, key, now))?;
        // Logged by address only: a card number is the reader's, not the log's.
        match barrier {
            Some(Barrier::Locked(until)) => {
                tracing::info!(client_addr = %key.client_addr, until = %until, "reader login refused: pair locked");
                Err(Barrier::Locked(until).into())
            }
            Some(Barrier::Throttled(seconds)) => {
                tracing::warn!(client_addr = %key.client_addr, retry_after_seconds = seconds, "reader login throttled");
                if let Some(monitor) = &self.login_monitor {
                    monitor.throttled();
                }
                Err(Barrier::Throttled(seconds).into())
            }
            None => Ok(()),
        }
    }

    /// Counts a failed PIN against its pair: `invalid_credentials`, or
    /// `account_locked` when this failure locks the pair.
    fn count_reader_failure(&self, key: &LoginKey) -> AppError {
        let now = Timestamp::now();
        let counted = self.db.write(|conn| {
            let forget = login_guard::forget_before(&self.auth, now);
            let failures =
                login_failures::count_failure(conn, &key.username, &key.client_addr, now, forget)?;
            let lock = login_guard::lock_after(&self.auth, failures, now);
            if let Some(until) = lock {
                login_failures::lock(conn, &key.username, &key.client_addr, until)?;
            }
            Ok::<_, DbError>(lock)
        });
        if let Some(monitor) = &self.login_monitor {
            monitor.failure();
        }
        match counted {
            Ok(None) => AppError::InvalidCredentials,
            Ok(Some(until)) => {
                tracing::warn!(client_addr = %key.client_addr, until = %until, "reader login pair locked");
                if let Some(monitor) = &self.login_monitor {
                    monitor.pair_locked();
                }
                AppError::AccountLocked { until }
            }
            Err(err) => err.into(),
        }
    }

    fn open_reader_session(
        &self,
        reader: StoredReader,
        key: &LoginKey,
        attempt: &ReaderLoginAttempt,
        rehash: Option<String>,
        now: Timestamp,
    ) -> Result<ReaderLoginOutcome, AppError> {
        let issued = tokens::issue_reader();
        let session_id = SessionId::new();
        let hours = i64::from(self.auth.reader_session_hours);
        let expires_at = Timestamp::from_utc(now.utc() + Duration::hours(hours));
        let actor = reader_actor(&reader, attempt.request_id.clone());
        self.db.write(|conn| {
            login_failures::clear_pair(conn, &key.username, &key.client_addr)?;
            if let Some(hash) = &rehash {
                readers::set_pin_hash(conn, reader.id, Some(hash), now)?;
            }
            reader_sessions::insert(
                conn,
                &NewReaderSession {
                    id: session_id,
                    reader_id: reader.id,
                    token_hash: &issued.hash,
                    created_at: now,
                    expires_at,
                    client_addr: attempt.client_addr.as_deref(),
                    user_agent: attempt.user_agent.as_deref(),
                },
            )?;
            let after = json!({ "session_id": session_id.to_string(), "expires_at": expires_at.to_string() });
            record(conn, &actor, "reader_login", ("reader", &reader.id), None, Some(after))?;
            let login = kitap_db::reader_activity::ActivityKind::Login;
            kitap_db::reader_activity::log(conn, reader.id, reader.home_branch_id, login, now)?;
            Ok::<_, AppError>(())
        })?;
        Ok(ReaderLoginOutcome {
            token: issued.token,
            expires_at,
            reader,
        })
    }

    /// Resolves a reader's bearer token. A staff token fails the shape check
    /// (and would not be in `reader_sessions` anyway); an archived reader's
    /// sessions stop working.
    pub fn authenticate_reader(&self, token: &str) -> Result<ReaderPrincipal, AppError> {
        if !tokens::looks_valid_reader(token) {
            return Err(AppError::InvalidToken);
        }
        let token_hash = tokens::hash(token);
        let (session, reader) = self.db.read(|conn| {
            let Some(session) = reader_sessions::find_by_token_hash(conn, &token_hash)? else {
                return Err(AppError::InvalidToken);
            };
            let reader = readers::find(conn, session.reader_id)?;
            Ok((session, reader))
        })?;
        if !tokens::matches(token, &session.token_hash) {
            return Err(AppError::InvalidToken);
        }
        if session.revoked_at.is_some() || reader.status != ReaderStatus::Active {
            return Err(AppError::TokenRevoked);
        }
        if session.expires_at <= Timestamp::now() {
            return Err(AppError::TokenExpired);
        }
        Ok(ReaderPrincipal {
            session_id: session.id,
            reader,
        })
    }

    /// Ends the reader's own session.
    pub fn reader_logout(&self, me: &ReaderPrincipal, actor: &Actor) -> Result<(), AppError> {
        self.db.write(|conn| {
            reader_sessions::revoke(conn, me.session_id, Timestamp::now())?;
            let before = json!({ "session_id": me.session_id.to_string() });
            record(
                conn,
                actor,
                "reader_logout",
                ("reader", &me.reader.id),
                Some(before),
                None,
            )?;
            Ok(())
        })
    }

    /// The reader changes their own PIN (4 to 12 digits); their other
    /// sessions end. A wrong current PIN counts as a failed login, so a
    /// stolen session cannot be used to guess the PIN.
    pub fn change_reader_pin(
        &self,
        me: &ReaderPrincipal,
        actor: &Actor,
        current: &str,
        new: &str,
        client_addr: Option<&str>,
    ) -> Result<(), AppError> {
        let new_pin = reader_pin(Some(new))?
            .ok_or_else(|| kitap_domain::ValueError::new("new_pin", "is required"))?;
        let key = reader_key(Some(&me.reader.card_number), client_addr);
        self.reader_barrier(&key, Timestamp::now())?;
        let stored = self.db.read(|conn| readers::pin_hash(conn, me.reader.id))?;
        let Some(stored) = stored else {
            self.hashing.verify_decoy(current);
            return Err(self.count_reader_failure(&key));
        };
        if !self.hashing.verify(current, &stored) {
            return Err(self.count_reader_failure(&key));
        }
        let hash = self.hashing.hash(&new_pin)?;
        self.db.write(|conn| {
            let now = Timestamp::now();
            readers::set_pin_hash(conn, me.reader.id, Some(&hash), now)?;
            reader_sessions::revoke_all_for(conn, me.reader.id, Some(me.session_id), now)?;
            login_failures::clear_pair(conn, &key.username, &key.client_addr)?;
            record(
                conn,
                actor,
                "pin_changed",
                ("reader", &me.reader.id),
                None,
                None,
            )?;
            Ok(())
        })
    }
}

/// The reader with this card and their PIN hash; `None` without either.
fn with_pin(
    conn: &mut kitap_db::DbConnection,
    card: &CardNumber,
) -> Result<Option<(StoredReader, String)>, AppError> {
    let reader = match readers::find_by_card(conn, card) {
        Ok(reader) => reader,
        Err(DbError::NotFound) => return Ok(None),
        Err(other) => return Err(other.into()),
    };
    Ok(readers::pin_hash(conn, reader.id)?.map(|hash| (reader, hash)))
}
