//! The desk's worker: the thread that owns the desk's two database connections and runs
//! Argon2 for agent sign-in, so the screen keeps drawing while they work.
//!
//! - account data is read through a [`ReadStore`]: queries only (a holder write does not
//!   compile; see `store::capability`). The SQLite one is a connection opened **read-only**;
//! - the only write is to the [`AuditLog`]; the SQLite one is a connection whose authorizer
//!   refuses every write except appending audit rows.
//!
//! Every agent sign-in attempt, lookup, view and helper run appends an audit row *before* the
//! result is handed back: if the audit row cannot be written, nothing is shown. A name typed
//! at sign-in that is no agent's is written only as a keyed hash (it may be a password). Each
//! lookup, view and helper run first checks, on the read-only store, that the agent is still
//! enabled: `agent disable` ends a live session within one request.
//!
//! [`DeskWorker::handle`] is synchronous, so tests can drive it without a thread; [`spawn`]
//! runs it on its own thread for the real desk.

use std::path::Path;
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread::{self, JoinHandle};

use chrono::{DateTime, FixedOffset, Utc};

use crate::clock::SharedClock;
use crate::domain::identifier::{Lookup, account_id_label};
use crate::domain::lockout::AfterFailure;
use crate::domain::mask;
use crate::domain::model::AccountView;
use crate::domain::sign_in_helper::{Case, Diagnosis, Symptom, diagnose_in};
use crate::secret::{self, OsEntropy, Secret};
use crate::store::audit::{AgentReservation, SqliteAuditLog, action};
use crate::store::{AuditLog, ReadOnlyStore, ReadStore, StoreError};

/// What the desk asks the worker to do.
#[derive(Debug)]
pub enum Job {
    /// Check an agent's password (the name is already normalised).
    SignIn { name: String, password: Secret },
    /// Find one account by an exact identifier and, if found, load its view.
    Find { agent: String, lookup: Lookup },
    /// Load (again) the view of an account.
    View { agent: String, account_id: i64 },
    /// Run the sign-in helper on an account's current state; times worded at `tz`.
    Helper {
        agent: String,
        account_id: i64,
        symptom: Symptom,
        tz: FixedOffset,
    },
    /// The agent signed out.
    SignOut { agent: String },
    /// The session was locked after being idle.
    IdleLock { agent: String },
}

/// A job with the id its reply will carry.
#[derive(Debug)]
pub struct Request {
    pub id: u64,
    pub job: Job,
}

/// Why an agent sign-in did not succeed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignInRefusal {
    /// Unknown name or wrong password (the desk says the same for both).
    Wrong { tries_left: u32 },
    /// Too many wrong passwords for this name; refused before any hashing.
    Locked { until: DateTime<Utc> },
    /// The right password, but the agent is disabled.
    Disabled,
    /// 100 wrong passwords in a row: refused until the agent's password is reset.
    Blocked,
}

/// What came of a job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    SignedIn {
        agent: String,
    },
    SignInRefused(SignInRefusal),
    /// The lookup ran; `view` is the account it found, if any.
    Found {
        lookup: Lookup,
        view: Option<Box<AccountView>>,
    },
    Viewed(Box<AccountView>),
    Diagnosed {
        view: Box<AccountView>,
        symptom: Symptom,
        diagnosis: Diagnosis,
    },
    /// A sign-out or idle lock was recorded.
    Recorded,
    /// The signed-in agent was disabled (or removed) since signing in: nothing is shown and
    /// the desk locks.
    AgentDisabled,
    /// The audit row could not be written, so nothing is shown.
    AuditFailed,
    /// The database failed; the message names the cause.
    Failed(String),
}

/// The worker's answer to a [`Request`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub id: u64,
    pub outcome: Outcome,
}

/// Owns the read-only account store and the audit log: nothing else, whatever the backend.
pub struct DeskWorker {
    store: Box<dyn ReadStore>,
    audit: Box<dyn AuditLog>,
    clock: SharedClock,
    /// A hash of nothing in particular, checked against for unknown agent names so that an
    /// unknown name takes as long as a wrong password.
    decoy: Option<String>,
}

impl std::fmt::Debug for DeskWorker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeskWorker")
            .field("store", &self.store)
            .field("audit", &self.audit)
            .finish_non_exhaustive()
    }
}

/// How a lookup is written in the audit log: the kind and the identifier masked.
pub fn masked_lookup(lookup: &Lookup) -> String {
    match lookup {
        Lookup::Username(u) => format!("username {}", mask::username(u)),
        Lookup::Email(e) => format!("email {}", mask::email(e)),
        Lookup::Phone(p) => format!("phone {}", mask::phone(p)),
        Lookup::AccountId(id) => format!("account {}", account_id_label(*id)),
    }
}

fn symptom_name(s: Symptom) -> &'static str {
    match s {
        Symptom::ForgotPassword => "forgot_password",
        Symptom::LostMethods => "lost_methods",
        Symptom::NotSure => "not_sure",
    }
}

fn case_name(c: Case) -> &'static str {
    match c {
        Case::CanSignIn => "can_sign_in",
        Case::ForgotPasswordWithMethod => "forgot_password_with_method",
        Case::RecoverWithCode => "recover_with_code",
        Case::CannotRecover => "cannot_recover",
        Case::CodeEntryLocked => "code_entry_locked",
        Case::PasswordLocked => "password_locked",
        Case::PendingChange => "pending_change",
        Case::TwoStepOneMethod => "two_step_one_method",
    }
}

impl DeskWorker {
    /// Opens the audit log (the only writable connection) and then the account store
    /// read-only. The database must exist and be at the current schema version.
    pub fn open(path: &Path, clock: SharedClock) -> Result<DeskWorker, StoreError> {
        let audit = SqliteAuditLog::open(path)?;
        let store = ReadOnlyStore::open(path)?;
        Ok(DeskWorker::new(store, audit, clock))
    }

    /// The desk's worker over exactly what the desk may hold: queries and audit appends.
    pub fn new(
        store: impl ReadStore + 'static,
        audit: impl AuditLog + 'static,
        clock: SharedClock,
    ) -> DeskWorker {
        DeskWorker {
            store: Box::new(store),
            audit: Box::new(audit),
            clock,
            decoy: None,
        }
    }

    /// Does one job and says what came of it.
    pub fn handle(&mut self, req: Request) -> Reply {
        let outcome = match req.job {
            Job::SignIn { name, password } => self.sign_in(&name, &password),
            Job::Find { agent, lookup } => self.find(&agent, lookup),
            Job::View { agent, account_id } => self.view(&agent, account_id),
            Job::Helper {
                agent,
                account_id,
                symptom,
                tz,
            } => self.helper(&agent, account_id, symptom, tz),
            Job::SignOut { agent } => self.log_session(&agent, action::SIGN_OUT),
            Job::IdleLock { agent } => self.log_session(&agent, action::IDLE_LOCK),
        };
        Reply {
            id: req.id,
            outcome,
        }
    }

    fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    fn append(&mut self, agent: &str, what: &str, account: Option<i64>, detail: &str) -> bool {
        let now = self.now();
        self.audit.append(agent, what, account, detail, now).is_ok()
    }

    fn sign_in(&mut self, name: &str, password: &Secret) -> Outcome {
        let now = self.now();
        let creds = match self.store.agent_credentials(name) {
            Ok(c) => c,
            Err(e) => return Outcome::Failed(e.to_string()),
        };
        // A name that is no agent's may be a password typed into the wrong field: the audit
        // log keeps only a keyed hash of it (SPEC §6), and its lockout is counted under that.
        let audit_name = match &creds {
            Some(c) => c.name.clone(),
            None => self.audit.unknown_name(name),
        };
        let name = audit_name.as_str();
        // The attempt is reserved (counted, audited) before any hashing, and refused while the
        // name is locked (SPEC §4), known or not.
        let after = match self.audit.reserve_sign_in(name, now) {
            Ok(AgentReservation::Go(after)) => after,
            Ok(AgentReservation::Locked(until)) => {
                return Outcome::SignInRefused(SignInRefusal::Locked { until });
            }
            Ok(AgentReservation::Blocked) => return Outcome::SignInRefused(SignInRefusal::Blocked),
            Err(_) => return Outcome::AuditFailed,
        };
        let matches = match &creds {
            Some(c) => secret::verify(password, &c.password_hash).unwrap_or(false),
            None => {
                // Spend the same effort as for a real agent, then fail.
                let decoy = self.decoy_hash();
                let _ = decoy.map(|h| secret::verify(password, &h));
                false
            }
        };
        match &creds {
            Some(c) if matches => {
                if c.disabled {
                    if !self.append(name, action::SIGN_IN_REFUSED, None, "disabled") {
                        return Outcome::AuditFailed;
                    }
                    return Outcome::SignInRefused(SignInRefusal::Disabled);
                }
                if !self.append(name, action::SIGN_IN, None, "") {
                    return Outcome::AuditFailed;
                }
                Outcome::SignedIn {
                    agent: c.name.clone(),
                }
            }
            _ => {
                if !self.append(name, action::SIGN_IN_FAILED, None, "") {
                    return Outcome::AuditFailed;
                }
                match after {
                    AfterFailure::TriesLeft(n) => {
                        Outcome::SignInRefused(SignInRefusal::Wrong { tries_left: n })
                    }
                    AfterFailure::LockedUntil(until) => {
                        Outcome::SignInRefused(SignInRefusal::Locked { until })
                    }
                    AfterFailure::Blocked => Outcome::SignInRefused(SignInRefusal::Blocked),
                }
            }
        }
    }

    fn decoy_hash(&mut self) -> Option<String> {
        if self.decoy.is_none() {
            self.decoy = secret::hash(&Secret::new("decoy"), &mut OsEntropy).ok();
        }
        self.decoy.clone()
    }

    fn load(&self, account_id: i64) -> Result<Option<AccountView>, Outcome> {
        match self.store.account_view(account_id, self.now()) {
            Ok(v) => Ok(Some(v)),
            Err(StoreError::NotFound(_)) => Ok(None),
            Err(e) => Err(Outcome::Failed(e.to_string())),
        }
    }

    /// Whether `agent` may still use the desk: it exists and is not disabled. Asked with every
    /// lookup, view and helper run, so `agent disable` ends a live session within one request;
    /// the ending is an audit row of its own.
    fn still_enabled(&mut self, agent: &str) -> Result<(), Outcome> {
        match self.store.agent_disabled(agent) {
            Ok(Some(false)) => Ok(()),
            Ok(_) => {
                if !self.append(agent, action::SESSION_ENDED, None, "agent disabled") {
                    return Err(Outcome::AuditFailed);
                }
                Err(Outcome::AgentDisabled)
            }
            Err(e) => Err(Outcome::Failed(e.to_string())),
        }
    }

    fn find(&mut self, agent: &str, lookup: Lookup) -> Outcome {
        if let Err(o) = self.still_enabled(agent) {
            return o;
        }
        let found = match self.store.find_account(&lookup) {
            Ok(f) => f,
            Err(e) => return Outcome::Failed(e.to_string()),
        };
        let detail = masked_lookup(&lookup);
        if !self.append(agent, action::LOOKUP, found.as_ref().map(|a| a.id), &detail) {
            return Outcome::AuditFailed;
        }
        let Some(account) = found else {
            return Outcome::Found { lookup, view: None };
        };
        match self.view_checked(agent, account.id) {
            Outcome::Viewed(view) => Outcome::Found {
                lookup,
                view: Some(view),
            },
            Outcome::Found { view: None, .. } => Outcome::Found { lookup, view: None },
            other => other,
        }
    }

    fn view(&mut self, agent: &str, account_id: i64) -> Outcome {
        if let Err(o) = self.still_enabled(agent) {
            return o;
        }
        self.view_checked(agent, account_id)
    }

    /// A view for an agent whose state was checked for this request already.
    fn view_checked(&mut self, agent: &str, account_id: i64) -> Outcome {
        let view = match self.load(account_id) {
            Ok(Some(v)) => v,
            Ok(None) => {
                return Outcome::Found {
                    lookup: Lookup::AccountId(account_id),
                    view: None,
                };
            }
            Err(o) => return o,
        };
        if !self.append(agent, action::VIEW, Some(account_id), "") {
            return Outcome::AuditFailed;
        }
        Outcome::Viewed(Box::new(view))
    }

    fn helper(
        &mut self,
        agent: &str,
        account_id: i64,
        symptom: Symptom,
        tz: FixedOffset,
    ) -> Outcome {
        if let Err(o) = self.still_enabled(agent) {
            return o;
        }
        let now = self.now();
        let view = match self.load(account_id) {
            Ok(Some(v)) => v,
            Ok(None) => {
                return Outcome::Found {
                    lookup: Lookup::AccountId(account_id),
                    view: None,
                };
            }
            Err(o) => return o,
        };
        let diagnosis = diagnose_in(&view, now, symptom, tz);
        let detail = format!(
            "symptom {}; case {}",
            symptom_name(symptom),
            case_name(diagnosis.case)
        );
        if !self.append(agent, action::HELPER, Some(account_id), &detail) {
            return Outcome::AuditFailed;
        }
        Outcome::Diagnosed {
            view: Box::new(view),
            symptom,
            diagnosis,
        }
    }

    fn log_session(&mut self, agent: &str, what: &str) -> Outcome {
        if self.append(agent, what, None, "") {
            Outcome::Recorded
        } else {
            Outcome::AuditFailed
        }
    }
}

/// Runs `worker` on its own thread: each request's reply is wrapped by `wrap` and sent on
/// `replies`. The thread ends when the request sender is dropped (after finishing the jobs
/// already queued, so a sign-out sent just before quitting is still recorded) or when the
/// reply receiver is gone.
pub fn spawn<M: Send + 'static>(
    mut worker: DeskWorker,
    replies: Sender<M>,
    wrap: fn(Reply) -> M,
) -> std::io::Result<(Sender<Request>, JoinHandle<()>)> {
    let (tx, rx): (Sender<Request>, Receiver<Request>) = mpsc::channel();
    let handle = thread::Builder::new()
        .name("desk-worker".into())
        .spawn(move || {
            // Ready the decoy hash now, so the first unknown agent name is not slower than
            // a wrong password.
            let _ = worker.decoy_hash();
            for req in rx {
                let reply = worker.handle(req);
                if replies.send(wrap(reply)).is_err() {
                    break;
                }
            }
        })?;
    Ok((tx, handle))
}
