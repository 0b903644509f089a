//! The desk's jobs: what its worker thread (the generic [`crate::tui::worker::Worker`]) does
//! with the desk's two database connections, Argon2 for agent sign-in included, so the screen
//! keeps drawing while they work.
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
//! [`DeskWorker::handle`] is synchronous, so tests can drive it without a thread; the generic
//! worker runs it on its own thread for the real desk. Every reply is a [`Reply`] whose
//! `result` is what the job came to or why it failed ([`JobError`]), handled in one place.

use std::path::Path;

use chrono::{DateTime, FixedOffset, Utc};

use crate::clock::SharedClock;
use crate::domain::case_ref::CaseRef;
use crate::domain::identifier::{Lookup, account_id_label};
use crate::domain::lockout::AfterFailure;
use crate::domain::mask;
use crate::domain::model::{AccountView, AgentCredentials};
use crate::domain::sign_in_helper::{Answers, DeskNext, Question, Route, Symptom, Why, desk_next};
use crate::secret::{self, OsEntropy, Secret};
use crate::store::any::Target;
use crate::store::audit::{AgentReservation, Entry, SqliteAuditLog, action};
use crate::store::postgres::{PgAuditLog, PgReadOnly};
use crate::store::{AuditLog, ReadOnlyStore, ReadStore, StoreError};
use crate::tui::sanitize::Clean;
use crate::tui::worker::{self, Crashed, Jobs};

/// What the desk asks the worker to do.
#[derive(Debug)]
pub enum Job {
    /// Check an agent's password (the name is already normalised).
    SignIn { name: String, password: Secret },
    /// Find one account by an exact identifier and, if found, load its view. `case` is the
    /// ticket typed with it, written on the audit rows.
    Find {
        agent: String,
        lookup: Lookup,
        case: Option<CaseRef>,
    },
    /// Load (again) the view of an account, in `case`.
    View {
        agent: String,
        account_id: i64,
        case: Option<CaseRef>,
    },
    /// Run the sign-in helper on an account's current state and the customer's answers so
    /// far: its next question, or its answer; times worded at `tz`; audited in `case`.
    Helper {
        agent: String,
        account_id: i64,
        answers: Answers,
        tz: FixedOffset,
        case: Option<CaseRef>,
    },
    /// The signed-in agent changes their own password, proving the current one (SPEC §6,
    /// §10). The new one already passed the §4 rules on screen.
    ChangePassword {
        agent: String,
        current: Secret,
        new: Secret,
    },
    /// The agent signed out.
    SignOut { agent: String },
    /// The session was locked after being idle.
    IdleLock { agent: String },
}

/// A job with the id its reply will carry.
pub type Request = worker::Request<Job>;

/// The worker's answer to a [`Request`].
pub type Reply = worker::Reply<Outcome, JobError>;

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

/// Why an agent's password change did not happen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeRefusal {
    /// The current password was wrong; it counts as a failed sign-in.
    WrongCurrent { tries_left: u32 },
    /// Too many wrong passwords for this name: the desk locks until then.
    Locked { until: DateTime<Utc> },
    /// 100 wrong passwords in a row: only `agent reset-password` helps.
    Blocked,
    /// The new password is the current one.
    Unchanged,
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
        view: Option<Box<Clean<AccountView>>>,
    },
    Viewed(Box<Clean<AccountView>>),
    /// The helper's next question, or its answer, for these answers.
    Diagnosed {
        view: Box<Clean<AccountView>>,
        answers: Answers,
        next: DeskNext,
    },
    /// The agent's new password is set: it is the one from the next sign-in.
    PasswordChanged,
    PasswordChangeRefused(ChangeRefusal),
    /// A sign-out or idle lock was recorded.
    Recorded,
}

/// Why a job showed nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JobError {
    /// The signed-in agent was disabled (or removed) since signing in: nothing is shown and
    /// the desk locks.
    #[error("the agent was disabled")]
    AgentDisabled,
    /// The audit row could not be written, so nothing is shown.
    #[error("the audit row could not be written")]
    AuditFailed,
    /// The database failed; the message names the cause.
    #[error("{0}")]
    Failed(String),
    /// The job panicked and the worker stopped.
    #[error(transparent)]
    Crashed(#[from] Crashed),
}

impl From<StoreError> for JobError {
    fn from(e: StoreError) -> Self {
        JobError::Failed(e.to_string())
    }
}

/// Owns the read-only account store and the audit log: nothing else, whatever the backend.
pub struct DeskWorker {
    store: Box<dyn ReadStore>,
    audit: Box<dyn AuditLog>,
    clock: SharedClock,
}

/// A hash of nothing in particular, at the cost every agent's hash is written with, checked
/// against for unknown agent names so that an unknown name takes as long as a wrong
/// password. Fixed, so no desk spends a hash on it before its first frame (issue 13: making
/// it when the desk opened took most of the desk's 50 ms to first frame); no password can
/// sign in through it, since an unknown name fails whatever the check says.
const DECOY: &str = "$argon2id$v=19$m=19456,t=2,p=1$ZGVzay1kZWNveS1zYWx0IQ$tq8OPEV9CdJAiPxAdj6GgXlqwoNgX0Mty/G5nYg4IyE";

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

fn question_name(q: Question) -> &'static str {
    match q {
        Question::KnowsPassword => "knows_password",
        Question::CanGetCodes => "can_get_codes",
        Question::HasRecoveryCode => "has_recovery_code",
    }
}

fn path_name(p: Route) -> &'static str {
    match p {
        Route::SignIn => "sign_in",
        Route::SignInWithRecoveryCode => "sign_in_with_recovery_code",
        Route::ResetNow => "reset_now",
        Route::ResetNowWithRecoveryCode => "reset_now_with_recovery_code",
        Route::ResetAfterWait => "reset_after_wait",
        Route::ResetAfterWaitWithRecoveryCode => "reset_after_wait_with_recovery_code",
        Route::CannotRecover(Why::NothingProvesIt) => "cannot_recover_nothing_proves_it",
        Route::CannotRecover(Why::SecondStepOutOfReach) => {
            "cannot_recover_second_step_out_of_reach"
        }
    }
}

/// The audit row's words for a helper run: the symptom, the answers, and the question asked
/// next or the path given.
fn helper_detail(answers: &Answers, next: &DeskNext) -> String {
    let mut detail = format!("symptom {}", symptom_name(answers.symptom));
    for (q, yes) in answers.given() {
        detail.push_str(&format!(
            "; {} {}",
            question_name(*q),
            if *yes { "yes" } else { "no" }
        ));
    }
    match next {
        DeskNext::Ask(q) => detail.push_str(&format!("; asks {}", question_name(*q))),
        DeskNext::Give(d) => detail.push_str(&format!("; path {}", path_name(d.route))),
    }
    detail
}

impl DeskWorker {
    /// Opens the audit log (the only writable connection) and then the account store
    /// read-only. The database must exist and be at the current schema version.
    pub fn open(path: &Path, clock: SharedClock) -> Result<DeskWorker, StoreError> {
        let audit = SqliteAuditLog::open(path)?;
        let store = ReadOnlyStore::open(path)?;
        Ok(DeskWorker::new(store, audit, clock))
    }

    /// Opens `target`, either backend: on SQLite as [`DeskWorker::open`] (with the key file
    /// `target` names); on PostgreSQL two connections acting as the desk role, which the server
    /// lets read the account tables and append to the audit tables, nothing more.
    pub fn open_target(target: &Target, clock: SharedClock) -> Result<DeskWorker, StoreError> {
        match target {
            Target::File { path, key } => {
                let audit = SqliteAuditLog::open_with_key(path, key)?;
                let store = ReadOnlyStore::open(path)?;
                Ok(DeskWorker::new(store, audit, clock))
            }
            Target::Postgres { url, key } => {
                let audit = PgAuditLog::open(url, key)?;
                let store = PgReadOnly::open(url)?;
                Ok(DeskWorker::new(store, audit, clock))
            }
        }
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
        }
    }

    /// Does one job and says what came of it (what the worker thread does; tests call it).
    pub fn handle(&mut self, req: Request) -> Reply {
        worker::answer(self, req)
    }

    fn run_job(&mut self, job: Job) -> Result<Outcome, JobError> {
        match job {
            Job::SignIn { name, password } => self.sign_in(&name, &password),
            Job::Find {
                agent,
                lookup,
                case,
            } => self.find(&agent, lookup, case.as_ref()),
            Job::View {
                agent,
                account_id,
                case,
            } => self.view(&agent, account_id, case.as_ref()),
            Job::Helper {
                agent,
                account_id,
                answers,
                tz,
                case,
            } => self.helper(&agent, account_id, answers, tz, case.as_ref()),
            Job::ChangePassword {
                agent,
                current,
                new,
            } => self.change_password(&agent, &current, &new),
            Job::SignOut { agent } => self.log_session(&agent, action::SIGN_OUT),
            Job::IdleLock { agent } => self.log_session(&agent, action::IDLE_LOCK),
        }
    }

    fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Appends one audit row; whether it was written.
    fn append(&mut self, entry: Entry<'_>) -> bool {
        let now = self.now();
        self.audit.append(entry, now).is_ok()
    }

    fn sign_in(&mut self, name: &str, password: &Secret) -> Result<Outcome, JobError> {
        let now = self.now();
        let creds = self.store.agent_credentials(name)?;
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
                return Ok(Outcome::SignInRefused(SignInRefusal::Locked { until }));
            }
            Ok(AgentReservation::Blocked) => {
                return Ok(Outcome::SignInRefused(SignInRefusal::Blocked));
            }
            Err(_) => return Err(JobError::AuditFailed),
        };
        let matches = match &creds {
            Some(c) => {
                let hash = self.password_hash_of(c)?;
                secret::verify(password, &hash).unwrap_or(false)
            }
            None => {
                // Spend the same effort as for a real agent, then fail.
                let _ = secret::verify(password, DECOY);
                false
            }
        };
        match &creds {
            Some(c) if matches => {
                if c.disabled {
                    if !self.append(Entry::new(name, action::SIGN_IN_REFUSED).detail("disabled")) {
                        return Err(JobError::AuditFailed);
                    }
                    return Ok(Outcome::SignInRefused(SignInRefusal::Disabled));
                }
                if !self.append(Entry::new(name, action::SIGN_IN)) {
                    return Err(JobError::AuditFailed);
                }
                Ok(Outcome::SignedIn {
                    agent: c.name.clone(),
                })
            }
            _ => {
                if !self.append(Entry::new(name, action::SIGN_IN_FAILED)) {
                    return Err(JobError::AuditFailed);
                }
                Ok(Outcome::SignInRefused(match after {
                    AfterFailure::TriesLeft(n) => SignInRefusal::Wrong { tries_left: n },
                    AfterFailure::LockedUntil(until) => SignInRefusal::Locked { until },
                    AfterFailure::Blocked => SignInRefusal::Blocked,
                }))
            }
        }
    }

    /// The agent's password hash: the one they set at the desk, if they did since the
    /// administrator last set one; else the agents table's.
    fn password_hash_of(&self, creds: &AgentCredentials) -> Result<String, JobError> {
        Ok(match self.audit.desk_password(&creds.name)? {
            Some(hash) => hash,
            None => creds.password_hash.clone(),
        })
    }

    /// The signed-in agent's own password change: the current password is checked as a
    /// sign-in is (reserved and counted before hashing, the same lockout), and the new one
    /// is kept as its hash in an audit row, the desk's only write.
    fn change_password(
        &mut self,
        agent: &str,
        current: &Secret,
        new: &Secret,
    ) -> Result<Outcome, JobError> {
        self.still_enabled(agent)?;
        let now = self.now();
        let Some(creds) = self.store.agent_credentials(agent)? else {
            return Err(JobError::AgentDisabled);
        };
        let hash = self.password_hash_of(&creds)?;
        let after = match self.audit.reserve_sign_in(agent, now) {
            Ok(AgentReservation::Go(after)) => after,
            Ok(AgentReservation::Locked(until)) => {
                return Ok(Outcome::PasswordChangeRefused(ChangeRefusal::Locked {
                    until,
                }));
            }
            Ok(AgentReservation::Blocked) => {
                return Ok(Outcome::PasswordChangeRefused(ChangeRefusal::Blocked));
            }
            Err(_) => return Err(JobError::AuditFailed),
        };
        if !secret::verify(current, &hash).unwrap_or(false) {
            if !self.append(Entry::new(agent, action::AGENT_PASSWORD_CHANGE_FAILED)) {
                return Err(JobError::AuditFailed);
            }
            return Ok(Outcome::PasswordChangeRefused(match after {
                AfterFailure::TriesLeft(n) => ChangeRefusal::WrongCurrent { tries_left: n },
                AfterFailure::LockedUntil(until) => ChangeRefusal::Locked { until },
                AfterFailure::Blocked => ChangeRefusal::Blocked,
            }));
        }
        if secret::verify(new, &hash).unwrap_or(false) {
            if !self.append(Entry::new(agent, action::AGENT_PASSWORD_UNCHANGED)) {
                return Err(JobError::AuditFailed);
            }
            return Ok(Outcome::PasswordChangeRefused(ChangeRefusal::Unchanged));
        }
        let new_hash =
            secret::hash(new, &mut OsEntropy).map_err(|e| JobError::Failed(e.to_string()))?;
        if !self.append(Entry::new(agent, action::AGENT_PASSWORD_CHANGED).detail(&new_hash)) {
            return Err(JobError::AuditFailed);
        }
        Ok(Outcome::PasswordChanged)
    }

    /// The account's view, its text from the database sanitised once, here, before it goes
    /// into a reply.
    fn load(&self, account_id: i64) -> Result<Option<Clean<AccountView>>, JobError> {
        match self.store.account_view(account_id, self.now()) {
            Ok(v) => Ok(Some(Clean::new(v))),
            Err(StoreError::NotFound(_)) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Whether `agent` may still use the desk: it exists and is not disabled. Asked with every
    /// lookup, view and helper run, so `agent disable` ends a live session within one request;
    /// the ending is an audit row of its own.
    fn still_enabled(&mut self, agent: &str) -> Result<(), JobError> {
        match self.store.agent_disabled(agent) {
            Ok(Some(false)) => Ok(()),
            Ok(_) => {
                if !self.append(Entry::new(agent, action::SESSION_ENDED).detail("agent disabled")) {
                    return Err(JobError::AuditFailed);
                }
                Err(JobError::AgentDisabled)
            }
            Err(e) => Err(e.into()),
        }
    }

    fn find(
        &mut self,
        agent: &str,
        lookup: Lookup,
        case: Option<&CaseRef>,
    ) -> Result<Outcome, JobError> {
        self.still_enabled(agent)?;
        let found = self.store.find_account(&lookup)?;
        let detail = masked_lookup(&lookup);
        let entry = Entry::new(agent, action::LOOKUP)
            .about(found.as_ref().map(|a| a.id))
            .detail(&detail)
            .case(case);
        if !self.append(entry) {
            return Err(JobError::AuditFailed);
        }
        let Some(account) = found else {
            return Ok(Outcome::Found { lookup, view: None });
        };
        Ok(match self.view_checked(agent, account.id, case)? {
            Outcome::Viewed(view) => Outcome::Found {
                lookup,
                view: Some(view),
            },
            Outcome::Found { view: None, .. } => Outcome::Found { lookup, view: None },
            other => other,
        })
    }

    fn view(
        &mut self,
        agent: &str,
        account_id: i64,
        case: Option<&CaseRef>,
    ) -> Result<Outcome, JobError> {
        self.still_enabled(agent)?;
        self.view_checked(agent, account_id, case)
    }

    /// A view for an agent whose state was checked for this request already.
    fn view_checked(
        &mut self,
        agent: &str,
        account_id: i64,
        case: Option<&CaseRef>,
    ) -> Result<Outcome, JobError> {
        let Some(view) = self.load(account_id)? else {
            return Ok(Outcome::Found {
                lookup: Lookup::AccountId(account_id),
                view: None,
            });
        };
        if !self.append(
            Entry::new(agent, action::VIEW)
                .about(Some(account_id))
                .case(case),
        ) {
            return Err(JobError::AuditFailed);
        }
        Ok(Outcome::Viewed(Box::new(view)))
    }

    fn helper(
        &mut self,
        agent: &str,
        account_id: i64,
        answers: Answers,
        tz: FixedOffset,
        case: Option<&CaseRef>,
    ) -> Result<Outcome, JobError> {
        self.still_enabled(agent)?;
        let now = self.now();
        let Some(view) = self.load(account_id)? else {
            return Ok(Outcome::Found {
                lookup: Lookup::AccountId(account_id),
                view: None,
            });
        };
        // Diagnosed from the sanitised view: the words of the diagnosis carry no raw text.
        let next = desk_next(&view, now, &answers, tz);
        let detail = helper_detail(&answers, &next);
        if !self.append(
            Entry::new(agent, action::HELPER)
                .about(Some(account_id))
                .detail(&detail)
                .case(case),
        ) {
            return Err(JobError::AuditFailed);
        }
        Ok(Outcome::Diagnosed {
            view: Box::new(view),
            answers,
            next,
        })
    }

    fn log_session(&mut self, agent: &str, what: &str) -> Result<Outcome, JobError> {
        if self.append(Entry::new(agent, what)) {
            Ok(Outcome::Recorded)
        } else {
            Err(JobError::AuditFailed)
        }
    }
}

/// The desk's worker runs its jobs over exactly what the desk holds.
impl Jobs for DeskWorker {
    type Job = Job;
    type Outcome = Outcome;
    type Error = JobError;

    fn run(&mut self, job: Job) -> Result<Outcome, JobError> {
        self.run_job(job)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The decoy costs what a real agent's hash costs: it is a well-formed Argon2id hash
    /// with exactly the parameters `secret::hash` writes today, so checking a password
    /// against it runs the same Argon2 as checking a real agent's.
    #[test]
    fn the_decoy_costs_what_an_agents_hash_costs() {
        let real = secret::hash(&Secret::new("an agent's password"), &mut OsEntropy).unwrap();
        let params = |phc: &str| phc.rsplitn(3, '$').nth(2).unwrap().to_string();
        assert_eq!(params(DECOY), params(&real));
        assert_eq!(
            secret::verify(&Secret::new("a decoy: no agent has this password"), DECOY),
            Ok(true)
        );
        assert_eq!(secret::verify(&Secret::new("hunter2"), DECOY), Ok(false));
    }
}
