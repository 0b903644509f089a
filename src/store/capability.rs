//! What each part of the product may do to the database, as one trait per capability (SPEC §6,
//! layer 1: types). These traits are the seam for a second backend (SPEC §9, PostgreSQL): they
//! name no SQLite type, their errors are the store's own [`StoreError`](super::StoreError),
//! and each method that a rule needs to be atomic is one transaction in every backend.
//!
//! - [`ReadStore`]   the queries: accounts, methods, the account view, agents' credentials. No
//!   recovery code, one-time code or account password hash comes out of it.
//! - [`HolderStore`] the writes made on behalf of the account holder, and the secrets (hashes,
//!   counters) the holder's checks compare against.
//! - [`AuditLog`]    append to and verify the hash-chained audit log; agents' sign-in lockout.
//! - [`AgentAdmin`]  the CLI's `agent` commands.
//!
//! The holder's [`Service`](crate::service::Service) works through `HolderStore + ReadStore`.
//! The support desk is constructed with a `ReadStore` and an `AuditLog` only
//! ([`DeskWorker::new`](crate::desk::jobs::DeskWorker::new)); the SQLite types it is given,
//! [`ReadOnlyStore`](super::ReadOnlyStore) (a connection SQLite opened read-only) and
//! [`SqliteAuditLog`](super::audit::SqliteAuditLog) (a connection whose authorizer allows only
//! audit appends), offer nothing more. So "the desk cannot write an account" is a compile
//! error. The doc tests below are that proof: each tries one holder or agent write with what the
//! desk holds — through the two traits at once (`D: ReadStore + AuditLog`), and through each of
//! the two SQLite types — and must fail to compile.
//!
//! ```compile_fail,E0599
//! # use recovery_desk::store::{AuditLog, ReadStore, ReadOnlyStore, outbox::Message};
//! # use recovery_desk::store::audit::SqliteAuditLog;
//! # use recovery_desk::domain::model::{MethodKind, Purpose};
//! # use recovery_desk::domain::lockout::{AfterFailure, Guarded};
//! fn desk<D: ReadStore + AuditLog>(d: &mut D) { let _ = d.consume_recovery_code(1, 1, "", chrono::Utc::now()); }
//! ```
//! ```compile_fail,E0599
//! # use recovery_desk::store::{AuditLog, ReadStore, ReadOnlyStore, outbox::Message};
//! # use recovery_desk::store::audit::SqliteAuditLog;
//! # use recovery_desk::domain::model::{MethodKind, Purpose};
//! # use recovery_desk::domain::lockout::{AfterFailure, Guarded};
//! fn desk(d: &mut ReadOnlyStore, _a: &mut SqliteAuditLog) { let _ = d.consume_recovery_code(1, 1, "", chrono::Utc::now()); }
//! ```
//! ```compile_fail,E0599
//! # use recovery_desk::store::{AuditLog, ReadStore, ReadOnlyStore, outbox::Message};
//! # use recovery_desk::store::audit::SqliteAuditLog;
//! # use recovery_desk::domain::model::{MethodKind, Purpose};
//! # use recovery_desk::domain::lockout::{AfterFailure, Guarded};
//! fn desk(_r: &mut ReadOnlyStore, d: &mut SqliteAuditLog) { let _ = d.consume_recovery_code(1, 1, "", chrono::Utc::now()); }
//! ```
//! ```compile_fail,E0599
//! # use recovery_desk::store::{AuditLog, ReadStore, ReadOnlyStore, outbox::Message};
//! # use recovery_desk::store::audit::SqliteAuditLog;
//! # use recovery_desk::domain::model::{MethodKind, Purpose};
//! # use recovery_desk::domain::lockout::{AfterFailure, Guarded};
//! fn desk<D: ReadStore + AuditLog>(d: &mut D) { let _ = d.one_time_code_used(1, 1, chrono::Utc::now()); }
//! ```
//! ```compile_fail,E0599
//! # use recovery_desk::store::{AuditLog, ReadStore, ReadOnlyStore, outbox::Message};
//! # use recovery_desk::store::audit::SqliteAuditLog;
//! # use recovery_desk::domain::model::{MethodKind, Purpose};
//! # use recovery_desk::domain::lockout::{AfterFailure, Guarded};
//! fn desk(d: &mut ReadOnlyStore, _a: &mut SqliteAuditLog) { let _ = d.one_time_code_used(1, 1, chrono::Utc::now()); }
//! ```
//! ```compile_fail,E0599
//! # use recovery_desk::store::{AuditLog, ReadStore, ReadOnlyStore, outbox::Message};
//! # use recovery_desk::store::audit::SqliteAuditLog;
//! # use recovery_desk::domain::model::{MethodKind, Purpose};
//! # use recovery_desk::domain::lockout::{AfterFailure, Guarded};
//! fn desk(_r: &mut ReadOnlyStore, d: &mut SqliteAuditLog) { let _ = d.one_time_code_used(1, 1, chrono::Utc::now()); }
//! ```
//! ```compile_fail,E0599
//! # use recovery_desk::store::{AuditLog, ReadStore, ReadOnlyStore, outbox::Message};
//! # use recovery_desk::store::audit::SqliteAuditLog;
//! # use recovery_desk::domain::model::{MethodKind, Purpose};
//! # use recovery_desk::domain::lockout::{AfterFailure, Guarded};
//! fn desk<D: ReadStore + AuditLog>(d: &mut D) { let _ = d.reserve_one_time_code(1, 1, Purpose::Recovery, chrono::Utc::now()); }
//! ```
//! ```compile_fail,E0599
//! # use recovery_desk::store::{AuditLog, ReadStore, ReadOnlyStore, outbox::Message};
//! # use recovery_desk::store::audit::SqliteAuditLog;
//! # use recovery_desk::domain::model::{MethodKind, Purpose};
//! # use recovery_desk::domain::lockout::{AfterFailure, Guarded};
//! fn desk(d: &mut ReadOnlyStore, _a: &mut SqliteAuditLog) { let _ = d.reserve_one_time_code(1, 1, Purpose::Recovery, chrono::Utc::now()); }
//! ```
//! ```compile_fail,E0599
//! # use recovery_desk::store::{AuditLog, ReadStore, ReadOnlyStore, outbox::Message};
//! # use recovery_desk::store::audit::SqliteAuditLog;
//! # use recovery_desk::domain::model::{MethodKind, Purpose};
//! # use recovery_desk::domain::lockout::{AfterFailure, Guarded};
//! fn desk(_r: &mut ReadOnlyStore, d: &mut SqliteAuditLog) { let _ = d.reserve_one_time_code(1, 1, Purpose::Recovery, chrono::Utc::now()); }
//! ```
//! ```compile_fail,E0599
//! # use recovery_desk::store::{AuditLog, ReadStore, ReadOnlyStore, outbox::Message};
//! # use recovery_desk::store::audit::SqliteAuditLog;
//! # use recovery_desk::domain::model::{MethodKind, Purpose};
//! # use recovery_desk::domain::lockout::{AfterFailure, Guarded};
//! fn desk<D: ReadStore + AuditLog>(d: &mut D, m: &Message) { let _ = d.issue_one_time_code(1, 1, Purpose::SignIn, "", m, chrono::Utc::now()); }
//! ```
//! ```compile_fail,E0599
//! # use recovery_desk::store::{AuditLog, ReadStore, ReadOnlyStore, outbox::Message};
//! # use recovery_desk::store::audit::SqliteAuditLog;
//! # use recovery_desk::domain::model::{MethodKind, Purpose};
//! # use recovery_desk::domain::lockout::{AfterFailure, Guarded};
//! fn desk(d: &mut ReadOnlyStore, _a: &mut SqliteAuditLog, m: &Message) { let _ = d.issue_one_time_code(1, 1, Purpose::SignIn, "", m, chrono::Utc::now()); }
//! ```
//! ```compile_fail,E0599
//! # use recovery_desk::store::{AuditLog, ReadStore, ReadOnlyStore, outbox::Message};
//! # use recovery_desk::store::audit::SqliteAuditLog;
//! # use recovery_desk::domain::model::{MethodKind, Purpose};
//! # use recovery_desk::domain::lockout::{AfterFailure, Guarded};
//! fn desk(_r: &mut ReadOnlyStore, d: &mut SqliteAuditLog, m: &Message) { let _ = d.issue_one_time_code(1, 1, Purpose::SignIn, "", m, chrono::Utc::now()); }
//! ```
//! ```compile_fail,E0599
//! # use recovery_desk::store::{AuditLog, ReadStore, ReadOnlyStore, outbox::Message};
//! # use recovery_desk::store::audit::SqliteAuditLog;
//! # use recovery_desk::domain::model::{MethodKind, Purpose};
//! # use recovery_desk::domain::lockout::{AfterFailure, Guarded};
//! fn desk<D: ReadStore + AuditLog>(d: &mut D) { let _ = d.replace_recovery_code(1, "", chrono::Utc::now()); }
//! ```
//! ```compile_fail,E0599
//! # use recovery_desk::store::{AuditLog, ReadStore, ReadOnlyStore, outbox::Message};
//! # use recovery_desk::store::audit::SqliteAuditLog;
//! # use recovery_desk::domain::model::{MethodKind, Purpose};
//! # use recovery_desk::domain::lockout::{AfterFailure, Guarded};
//! fn desk(d: &mut ReadOnlyStore, _a: &mut SqliteAuditLog) { let _ = d.replace_recovery_code(1, "", chrono::Utc::now()); }
//! ```
//! ```compile_fail,E0599
//! # use recovery_desk::store::{AuditLog, ReadStore, ReadOnlyStore, outbox::Message};
//! # use recovery_desk::store::audit::SqliteAuditLog;
//! # use recovery_desk::domain::model::{MethodKind, Purpose};
//! # use recovery_desk::domain::lockout::{AfterFailure, Guarded};
//! fn desk(_r: &mut ReadOnlyStore, d: &mut SqliteAuditLog) { let _ = d.replace_recovery_code(1, "", chrono::Utc::now()); }
//! ```
//! ```compile_fail,E0599
//! # use recovery_desk::store::{AuditLog, ReadStore, ReadOnlyStore, outbox::Message};
//! # use recovery_desk::store::audit::SqliteAuditLog;
//! # use recovery_desk::domain::model::{MethodKind, Purpose};
//! # use recovery_desk::domain::lockout::{AfterFailure, Guarded};
//! fn desk<D: ReadStore + AuditLog>(d: &mut D) { let _ = d.set_password(1, "", true, chrono::Utc::now()); }
//! ```
//! ```compile_fail,E0599
//! # use recovery_desk::store::{AuditLog, ReadStore, ReadOnlyStore, outbox::Message};
//! # use recovery_desk::store::audit::SqliteAuditLog;
//! # use recovery_desk::domain::model::{MethodKind, Purpose};
//! # use recovery_desk::domain::lockout::{AfterFailure, Guarded};
//! fn desk(d: &mut ReadOnlyStore, _a: &mut SqliteAuditLog) { let _ = d.set_password(1, "", true, chrono::Utc::now()); }
//! ```
//! ```compile_fail,E0599
//! # use recovery_desk::store::{AuditLog, ReadStore, ReadOnlyStore, outbox::Message};
//! # use recovery_desk::store::audit::SqliteAuditLog;
//! # use recovery_desk::domain::model::{MethodKind, Purpose};
//! # use recovery_desk::domain::lockout::{AfterFailure, Guarded};
//! fn desk(_r: &mut ReadOnlyStore, d: &mut SqliteAuditLog) { let _ = d.set_password(1, "", true, chrono::Utc::now()); }
//! ```
//! ```compile_fail,E0599
//! # use recovery_desk::store::{AuditLog, ReadStore, ReadOnlyStore, outbox::Message};
//! # use recovery_desk::store::audit::SqliteAuditLog;
//! # use recovery_desk::domain::model::{MethodKind, Purpose};
//! # use recovery_desk::domain::lockout::{AfterFailure, Guarded};
//! fn desk<D: ReadStore + AuditLog>(d: &mut D) { let _ = d.create_pending_password(1, "", None, recovery_desk::domain::model::Proof::RecoveryCode, chrono::Utc::now()); }
//! ```
//! ```compile_fail,E0599
//! # use recovery_desk::store::{AuditLog, ReadStore, ReadOnlyStore, outbox::Message};
//! # use recovery_desk::store::audit::SqliteAuditLog;
//! # use recovery_desk::domain::model::{MethodKind, Purpose};
//! # use recovery_desk::domain::lockout::{AfterFailure, Guarded};
//! fn desk(d: &mut ReadOnlyStore, _a: &mut SqliteAuditLog) { let _ = d.create_pending_password(1, "", None, recovery_desk::domain::model::Proof::RecoveryCode, chrono::Utc::now()); }
//! ```
//! ```compile_fail,E0599
//! # use recovery_desk::store::{AuditLog, ReadStore, ReadOnlyStore, outbox::Message};
//! # use recovery_desk::store::audit::SqliteAuditLog;
//! # use recovery_desk::domain::model::{MethodKind, Purpose};
//! # use recovery_desk::domain::lockout::{AfterFailure, Guarded};
//! fn desk(_r: &mut ReadOnlyStore, d: &mut SqliteAuditLog) { let _ = d.create_pending_password(1, "", None, recovery_desk::domain::model::Proof::RecoveryCode, chrono::Utc::now()); }
//! ```
//! ```compile_fail,E0599
//! # use recovery_desk::store::{AuditLog, ReadStore, ReadOnlyStore, outbox::Message};
//! # use recovery_desk::store::audit::SqliteAuditLog;
//! # use recovery_desk::domain::model::{MethodKind, Purpose};
//! # use recovery_desk::domain::lockout::{AfterFailure, Guarded};
//! fn desk<D: ReadStore + AuditLog>(d: &mut D) { let _ = d.cancel_pending(1, 1, chrono::Utc::now()); }
//! ```
//! ```compile_fail,E0599
//! # use recovery_desk::store::{AuditLog, ReadStore, ReadOnlyStore, outbox::Message};
//! # use recovery_desk::store::audit::SqliteAuditLog;
//! # use recovery_desk::domain::model::{MethodKind, Purpose};
//! # use recovery_desk::domain::lockout::{AfterFailure, Guarded};
//! fn desk(d: &mut ReadOnlyStore, _a: &mut SqliteAuditLog) { let _ = d.cancel_pending(1, 1, chrono::Utc::now()); }
//! ```
//! ```compile_fail,E0599
//! # use recovery_desk::store::{AuditLog, ReadStore, ReadOnlyStore, outbox::Message};
//! # use recovery_desk::store::audit::SqliteAuditLog;
//! # use recovery_desk::domain::model::{MethodKind, Purpose};
//! # use recovery_desk::domain::lockout::{AfterFailure, Guarded};
//! fn desk(_r: &mut ReadOnlyStore, d: &mut SqliteAuditLog) { let _ = d.cancel_pending(1, 1, chrono::Utc::now()); }
//! ```
//! ```compile_fail,E0599
//! # use recovery_desk::store::{AuditLog, ReadStore, ReadOnlyStore, outbox::Message};
//! # use recovery_desk::store::audit::SqliteAuditLog;
//! # use recovery_desk::domain::model::{MethodKind, Purpose};
//! # use recovery_desk::domain::lockout::{AfterFailure, Guarded};
//! fn desk<D: ReadStore + AuditLog>(d: &mut D) { let _ = d.apply_due_changes(1, chrono::Utc::now()); }
//! ```
//! ```compile_fail,E0599
//! # use recovery_desk::store::{AuditLog, ReadStore, ReadOnlyStore, outbox::Message};
//! # use recovery_desk::store::audit::SqliteAuditLog;
//! # use recovery_desk::domain::model::{MethodKind, Purpose};
//! # use recovery_desk::domain::lockout::{AfterFailure, Guarded};
//! fn desk(d: &mut ReadOnlyStore, _a: &mut SqliteAuditLog) { let _ = d.apply_due_changes(1, chrono::Utc::now()); }
//! ```
//! ```compile_fail,E0599
//! # use recovery_desk::store::{AuditLog, ReadStore, ReadOnlyStore, outbox::Message};
//! # use recovery_desk::store::audit::SqliteAuditLog;
//! # use recovery_desk::domain::model::{MethodKind, Purpose};
//! # use recovery_desk::domain::lockout::{AfterFailure, Guarded};
//! fn desk(_r: &mut ReadOnlyStore, d: &mut SqliteAuditLog) { let _ = d.apply_due_changes(1, chrono::Utc::now()); }
//! ```
//! ```compile_fail,E0599
//! # use recovery_desk::store::{AuditLog, ReadStore, ReadOnlyStore, outbox::Message};
//! # use recovery_desk::store::audit::SqliteAuditLog;
//! # use recovery_desk::domain::model::{MethodKind, Purpose};
//! # use recovery_desk::domain::lockout::{AfterFailure, Guarded};
//! fn desk<D: ReadStore + AuditLog>(d: &mut D) { let _ = d.add_method(1, MethodKind::Email, "", chrono::Utc::now()); }
//! ```
//! ```compile_fail,E0599
//! # use recovery_desk::store::{AuditLog, ReadStore, ReadOnlyStore, outbox::Message};
//! # use recovery_desk::store::audit::SqliteAuditLog;
//! # use recovery_desk::domain::model::{MethodKind, Purpose};
//! # use recovery_desk::domain::lockout::{AfterFailure, Guarded};
//! fn desk(d: &mut ReadOnlyStore, _a: &mut SqliteAuditLog) { let _ = d.add_method(1, MethodKind::Email, "", chrono::Utc::now()); }
//! ```
//! ```compile_fail,E0599
//! # use recovery_desk::store::{AuditLog, ReadStore, ReadOnlyStore, outbox::Message};
//! # use recovery_desk::store::audit::SqliteAuditLog;
//! # use recovery_desk::domain::model::{MethodKind, Purpose};
//! # use recovery_desk::domain::lockout::{AfterFailure, Guarded};
//! fn desk(_r: &mut ReadOnlyStore, d: &mut SqliteAuditLog) { let _ = d.add_method(1, MethodKind::Email, "", chrono::Utc::now()); }
//! ```
//! ```compile_fail,E0599
//! # use recovery_desk::store::{AuditLog, ReadStore, ReadOnlyStore, outbox::Message};
//! # use recovery_desk::store::audit::SqliteAuditLog;
//! # use recovery_desk::domain::model::{MethodKind, Purpose};
//! # use recovery_desk::domain::lockout::{AfterFailure, Guarded};
//! fn desk<D: ReadStore + AuditLog>(d: &mut D) { let _ = d.verify_method(1, 1, chrono::Utc::now()); }
//! ```
//! ```compile_fail,E0599
//! # use recovery_desk::store::{AuditLog, ReadStore, ReadOnlyStore, outbox::Message};
//! # use recovery_desk::store::audit::SqliteAuditLog;
//! # use recovery_desk::domain::model::{MethodKind, Purpose};
//! # use recovery_desk::domain::lockout::{AfterFailure, Guarded};
//! fn desk(d: &mut ReadOnlyStore, _a: &mut SqliteAuditLog) { let _ = d.verify_method(1, 1, chrono::Utc::now()); }
//! ```
//! ```compile_fail,E0599
//! # use recovery_desk::store::{AuditLog, ReadStore, ReadOnlyStore, outbox::Message};
//! # use recovery_desk::store::audit::SqliteAuditLog;
//! # use recovery_desk::domain::model::{MethodKind, Purpose};
//! # use recovery_desk::domain::lockout::{AfterFailure, Guarded};
//! fn desk(_r: &mut ReadOnlyStore, d: &mut SqliteAuditLog) { let _ = d.verify_method(1, 1, chrono::Utc::now()); }
//! ```
//! ```compile_fail,E0599
//! # use recovery_desk::store::{AuditLog, ReadStore, ReadOnlyStore, outbox::Message};
//! # use recovery_desk::store::audit::SqliteAuditLog;
//! # use recovery_desk::domain::model::{MethodKind, Purpose};
//! # use recovery_desk::domain::lockout::{AfterFailure, Guarded};
//! fn desk<D: ReadStore + AuditLog>(d: &mut D) { let _ = d.remove_method(1, 1, chrono::Utc::now()); }
//! ```
//! ```compile_fail,E0599
//! # use recovery_desk::store::{AuditLog, ReadStore, ReadOnlyStore, outbox::Message};
//! # use recovery_desk::store::audit::SqliteAuditLog;
//! # use recovery_desk::domain::model::{MethodKind, Purpose};
//! # use recovery_desk::domain::lockout::{AfterFailure, Guarded};
//! fn desk(d: &mut ReadOnlyStore, _a: &mut SqliteAuditLog) { let _ = d.remove_method(1, 1, chrono::Utc::now()); }
//! ```
//! ```compile_fail,E0599
//! # use recovery_desk::store::{AuditLog, ReadStore, ReadOnlyStore, outbox::Message};
//! # use recovery_desk::store::audit::SqliteAuditLog;
//! # use recovery_desk::domain::model::{MethodKind, Purpose};
//! # use recovery_desk::domain::lockout::{AfterFailure, Guarded};
//! fn desk(_r: &mut ReadOnlyStore, d: &mut SqliteAuditLog) { let _ = d.remove_method(1, 1, chrono::Utc::now()); }
//! ```
//! ```compile_fail,E0599
//! # use recovery_desk::store::{AuditLog, ReadStore, ReadOnlyStore, outbox::Message};
//! # use recovery_desk::store::audit::SqliteAuditLog;
//! # use recovery_desk::domain::model::{MethodKind, Purpose};
//! # use recovery_desk::domain::lockout::{AfterFailure, Guarded};
//! fn desk<D: ReadStore + AuditLog>(d: &mut D) { let _ = d.set_two_step(1, false, chrono::Utc::now()); }
//! ```
//! ```compile_fail,E0599
//! # use recovery_desk::store::{AuditLog, ReadStore, ReadOnlyStore, outbox::Message};
//! # use recovery_desk::store::audit::SqliteAuditLog;
//! # use recovery_desk::domain::model::{MethodKind, Purpose};
//! # use recovery_desk::domain::lockout::{AfterFailure, Guarded};
//! fn desk(d: &mut ReadOnlyStore, _a: &mut SqliteAuditLog) { let _ = d.set_two_step(1, false, chrono::Utc::now()); }
//! ```
//! ```compile_fail,E0599
//! # use recovery_desk::store::{AuditLog, ReadStore, ReadOnlyStore, outbox::Message};
//! # use recovery_desk::store::audit::SqliteAuditLog;
//! # use recovery_desk::domain::model::{MethodKind, Purpose};
//! # use recovery_desk::domain::lockout::{AfterFailure, Guarded};
//! fn desk(_r: &mut ReadOnlyStore, d: &mut SqliteAuditLog) { let _ = d.set_two_step(1, false, chrono::Utc::now()); }
//! ```
//! ```compile_fail,E0599
//! # use recovery_desk::store::{AuditLog, ReadStore, ReadOnlyStore, outbox::Message};
//! # use recovery_desk::store::audit::SqliteAuditLog;
//! # use recovery_desk::domain::model::{MethodKind, Purpose};
//! # use recovery_desk::domain::lockout::{AfterFailure, Guarded};
//! fn desk<D: ReadStore + AuditLog>(d: &mut D) { let _ = d.record_success(1, Guarded::Password); }
//! ```
//! ```compile_fail,E0599
//! # use recovery_desk::store::{AuditLog, ReadStore, ReadOnlyStore, outbox::Message};
//! # use recovery_desk::store::audit::SqliteAuditLog;
//! # use recovery_desk::domain::model::{MethodKind, Purpose};
//! # use recovery_desk::domain::lockout::{AfterFailure, Guarded};
//! fn desk(d: &mut ReadOnlyStore, _a: &mut SqliteAuditLog) { let _ = d.record_success(1, Guarded::Password); }
//! ```
//! ```compile_fail,E0599
//! # use recovery_desk::store::{AuditLog, ReadStore, ReadOnlyStore, outbox::Message};
//! # use recovery_desk::store::audit::SqliteAuditLog;
//! # use recovery_desk::domain::model::{MethodKind, Purpose};
//! # use recovery_desk::domain::lockout::{AfterFailure, Guarded};
//! fn desk(_r: &mut ReadOnlyStore, d: &mut SqliteAuditLog) { let _ = d.record_success(1, Guarded::Password); }
//! ```
//! ```compile_fail,E0599
//! # use recovery_desk::store::{AuditLog, ReadStore, ReadOnlyStore, outbox::Message};
//! # use recovery_desk::store::audit::SqliteAuditLog;
//! # use recovery_desk::domain::model::{MethodKind, Purpose};
//! # use recovery_desk::domain::lockout::{AfterFailure, Guarded};
//! fn desk<D: ReadStore + AuditLog>(d: &mut D) { let _ = d.record_failure(1, Guarded::Password, chrono::Utc::now()); }
//! ```
//! ```compile_fail,E0599
//! # use recovery_desk::store::{AuditLog, ReadStore, ReadOnlyStore, outbox::Message};
//! # use recovery_desk::store::audit::SqliteAuditLog;
//! # use recovery_desk::domain::model::{MethodKind, Purpose};
//! # use recovery_desk::domain::lockout::{AfterFailure, Guarded};
//! fn desk(d: &mut ReadOnlyStore, _a: &mut SqliteAuditLog) { let _ = d.record_failure(1, Guarded::Password, chrono::Utc::now()); }
//! ```
//! ```compile_fail,E0599
//! # use recovery_desk::store::{AuditLog, ReadStore, ReadOnlyStore, outbox::Message};
//! # use recovery_desk::store::audit::SqliteAuditLog;
//! # use recovery_desk::domain::model::{MethodKind, Purpose};
//! # use recovery_desk::domain::lockout::{AfterFailure, Guarded};
//! fn desk(_r: &mut ReadOnlyStore, d: &mut SqliteAuditLog) { let _ = d.record_failure(1, Guarded::Password, chrono::Utc::now()); }
//! ```
//! ```compile_fail,E0599
//! # use recovery_desk::store::{AuditLog, ReadStore, ReadOnlyStore, outbox::Message};
//! # use recovery_desk::store::audit::SqliteAuditLog;
//! # use recovery_desk::domain::model::{MethodKind, Purpose};
//! # use recovery_desk::domain::lockout::{AfterFailure, Guarded};
//! fn desk<D: ReadStore + AuditLog>(d: &mut D) { let _ = d.reserve_attempt(1, Guarded::Password, chrono::Utc::now()); }
//! ```
//! ```compile_fail,E0599
//! # use recovery_desk::store::{AuditLog, ReadStore, ReadOnlyStore, outbox::Message};
//! # use recovery_desk::store::audit::SqliteAuditLog;
//! # use recovery_desk::domain::model::{MethodKind, Purpose};
//! # use recovery_desk::domain::lockout::{AfterFailure, Guarded};
//! fn desk(d: &mut ReadOnlyStore, _a: &mut SqliteAuditLog) { let _ = d.reserve_attempt(1, Guarded::Password, chrono::Utc::now()); }
//! ```
//! ```compile_fail,E0599
//! # use recovery_desk::store::{AuditLog, ReadStore, ReadOnlyStore, outbox::Message};
//! # use recovery_desk::store::audit::SqliteAuditLog;
//! # use recovery_desk::domain::model::{MethodKind, Purpose};
//! # use recovery_desk::domain::lockout::{AfterFailure, Guarded};
//! fn desk(_r: &mut ReadOnlyStore, d: &mut SqliteAuditLog) { let _ = d.reserve_attempt(1, Guarded::Password, chrono::Utc::now()); }
//! ```
//! ```compile_fail,E0599
//! # use recovery_desk::store::{AuditLog, ReadStore, ReadOnlyStore, outbox::Message};
//! # use recovery_desk::store::audit::SqliteAuditLog;
//! # use recovery_desk::domain::model::{MethodKind, Purpose};
//! # use recovery_desk::domain::lockout::{AfterFailure, Guarded};
//! fn desk<D: ReadStore + AuditLog>(d: &mut D) { let _ = d.confirm_failure(1, Guarded::Password, AfterFailure::Blocked, chrono::Utc::now()); }
//! ```
//! ```compile_fail,E0599
//! # use recovery_desk::store::{AuditLog, ReadStore, ReadOnlyStore, outbox::Message};
//! # use recovery_desk::store::audit::SqliteAuditLog;
//! # use recovery_desk::domain::model::{MethodKind, Purpose};
//! # use recovery_desk::domain::lockout::{AfterFailure, Guarded};
//! fn desk(d: &mut ReadOnlyStore, _a: &mut SqliteAuditLog) { let _ = d.confirm_failure(1, Guarded::Password, AfterFailure::Blocked, chrono::Utc::now()); }
//! ```
//! ```compile_fail,E0599
//! # use recovery_desk::store::{AuditLog, ReadStore, ReadOnlyStore, outbox::Message};
//! # use recovery_desk::store::audit::SqliteAuditLog;
//! # use recovery_desk::domain::model::{MethodKind, Purpose};
//! # use recovery_desk::domain::lockout::{AfterFailure, Guarded};
//! fn desk(_r: &mut ReadOnlyStore, d: &mut SqliteAuditLog) { let _ = d.confirm_failure(1, Guarded::Password, AfterFailure::Blocked, chrono::Utc::now()); }
//! ```
//! ```compile_fail,E0599
//! # use recovery_desk::store::{AuditLog, ReadStore, ReadOnlyStore, outbox::Message};
//! # use recovery_desk::store::audit::SqliteAuditLog;
//! # use recovery_desk::domain::model::{MethodKind, Purpose};
//! # use recovery_desk::domain::lockout::{AfterFailure, Guarded};
//! fn desk<D: ReadStore + AuditLog>(d: &mut D) { let _ = d.record_sign_in(1, chrono::Utc::now()); }
//! ```
//! ```compile_fail,E0599
//! # use recovery_desk::store::{AuditLog, ReadStore, ReadOnlyStore, outbox::Message};
//! # use recovery_desk::store::audit::SqliteAuditLog;
//! # use recovery_desk::domain::model::{MethodKind, Purpose};
//! # use recovery_desk::domain::lockout::{AfterFailure, Guarded};
//! fn desk(d: &mut ReadOnlyStore, _a: &mut SqliteAuditLog) { let _ = d.record_sign_in(1, chrono::Utc::now()); }
//! ```
//! ```compile_fail,E0599
//! # use recovery_desk::store::{AuditLog, ReadStore, ReadOnlyStore, outbox::Message};
//! # use recovery_desk::store::audit::SqliteAuditLog;
//! # use recovery_desk::domain::model::{MethodKind, Purpose};
//! # use recovery_desk::domain::lockout::{AfterFailure, Guarded};
//! fn desk(_r: &mut ReadOnlyStore, d: &mut SqliteAuditLog) { let _ = d.record_sign_in(1, chrono::Utc::now()); }
//! ```
//! ```compile_fail,E0599
//! # use recovery_desk::store::{AuditLog, ReadStore, ReadOnlyStore, outbox::Message};
//! # use recovery_desk::store::audit::SqliteAuditLog;
//! # use recovery_desk::domain::model::{MethodKind, Purpose};
//! # use recovery_desk::domain::lockout::{AfterFailure, Guarded};
//! fn desk<D: ReadStore + AuditLog>(d: &mut D) { let _ = d.create_account("x", "", chrono::Utc::now()); }
//! ```
//! ```compile_fail,E0599
//! # use recovery_desk::store::{AuditLog, ReadStore, ReadOnlyStore, outbox::Message};
//! # use recovery_desk::store::audit::SqliteAuditLog;
//! # use recovery_desk::domain::model::{MethodKind, Purpose};
//! # use recovery_desk::domain::lockout::{AfterFailure, Guarded};
//! fn desk(d: &mut ReadOnlyStore, _a: &mut SqliteAuditLog) { let _ = d.create_account("x", "", chrono::Utc::now()); }
//! ```
//! ```compile_fail,E0599
//! # use recovery_desk::store::{AuditLog, ReadStore, ReadOnlyStore, outbox::Message};
//! # use recovery_desk::store::audit::SqliteAuditLog;
//! # use recovery_desk::domain::model::{MethodKind, Purpose};
//! # use recovery_desk::domain::lockout::{AfterFailure, Guarded};
//! fn desk(_r: &mut ReadOnlyStore, d: &mut SqliteAuditLog) { let _ = d.create_account("x", "", chrono::Utc::now()); }
//! ```
//! ```compile_fail,E0599
//! # use recovery_desk::store::{AuditLog, ReadStore, ReadOnlyStore, outbox::Message};
//! # use recovery_desk::store::audit::SqliteAuditLog;
//! # use recovery_desk::domain::model::{MethodKind, Purpose};
//! # use recovery_desk::domain::lockout::{AfterFailure, Guarded};
//! fn desk<D: ReadStore + AuditLog>(d: &mut D) { let _ = d.password_hash(1); }
//! ```
//! ```compile_fail,E0599
//! # use recovery_desk::store::{AuditLog, ReadStore, ReadOnlyStore, outbox::Message};
//! # use recovery_desk::store::audit::SqliteAuditLog;
//! # use recovery_desk::domain::model::{MethodKind, Purpose};
//! # use recovery_desk::domain::lockout::{AfterFailure, Guarded};
//! fn desk(d: &mut ReadOnlyStore, _a: &mut SqliteAuditLog) { let _ = d.password_hash(1); }
//! ```
//! ```compile_fail,E0599
//! # use recovery_desk::store::{AuditLog, ReadStore, ReadOnlyStore, outbox::Message};
//! # use recovery_desk::store::audit::SqliteAuditLog;
//! # use recovery_desk::domain::model::{MethodKind, Purpose};
//! # use recovery_desk::domain::lockout::{AfterFailure, Guarded};
//! fn desk(_r: &mut ReadOnlyStore, d: &mut SqliteAuditLog) { let _ = d.password_hash(1); }
//! ```
//! ```compile_fail,E0599
//! # use recovery_desk::store::{AuditLog, ReadStore, ReadOnlyStore, outbox::Message};
//! # use recovery_desk::store::audit::SqliteAuditLog;
//! # use recovery_desk::domain::model::{MethodKind, Purpose};
//! # use recovery_desk::domain::lockout::{AfterFailure, Guarded};
//! fn desk<D: ReadStore + AuditLog>(d: &mut D) { let _ = d.active_recovery_code(1); }
//! ```
//! ```compile_fail,E0599
//! # use recovery_desk::store::{AuditLog, ReadStore, ReadOnlyStore, outbox::Message};
//! # use recovery_desk::store::audit::SqliteAuditLog;
//! # use recovery_desk::domain::model::{MethodKind, Purpose};
//! # use recovery_desk::domain::lockout::{AfterFailure, Guarded};
//! fn desk(d: &mut ReadOnlyStore, _a: &mut SqliteAuditLog) { let _ = d.active_recovery_code(1); }
//! ```
//! ```compile_fail,E0599
//! # use recovery_desk::store::{AuditLog, ReadStore, ReadOnlyStore, outbox::Message};
//! # use recovery_desk::store::audit::SqliteAuditLog;
//! # use recovery_desk::domain::model::{MethodKind, Purpose};
//! # use recovery_desk::domain::lockout::{AfterFailure, Guarded};
//! fn desk(_r: &mut ReadOnlyStore, d: &mut SqliteAuditLog) { let _ = d.active_recovery_code(1); }
//! ```
//! ```compile_fail,E0599
//! # use recovery_desk::store::{AuditLog, ReadStore, ReadOnlyStore, outbox::Message};
//! # use recovery_desk::store::audit::SqliteAuditLog;
//! # use recovery_desk::domain::model::{MethodKind, Purpose};
//! # use recovery_desk::domain::lockout::{AfterFailure, Guarded};
//! fn desk<D: ReadStore + AuditLog>(d: &mut D) { let _ = d.add_agent("alex", "", chrono::Utc::now()); }
//! ```
//! ```compile_fail,E0599
//! # use recovery_desk::store::{AuditLog, ReadStore, ReadOnlyStore, outbox::Message};
//! # use recovery_desk::store::audit::SqliteAuditLog;
//! # use recovery_desk::domain::model::{MethodKind, Purpose};
//! # use recovery_desk::domain::lockout::{AfterFailure, Guarded};
//! fn desk(d: &mut ReadOnlyStore, _a: &mut SqliteAuditLog) { let _ = d.add_agent("alex", "", chrono::Utc::now()); }
//! ```
//! ```compile_fail,E0599
//! # use recovery_desk::store::{AuditLog, ReadStore, ReadOnlyStore, outbox::Message};
//! # use recovery_desk::store::audit::SqliteAuditLog;
//! # use recovery_desk::domain::model::{MethodKind, Purpose};
//! # use recovery_desk::domain::lockout::{AfterFailure, Guarded};
//! fn desk(_r: &mut ReadOnlyStore, d: &mut SqliteAuditLog) { let _ = d.add_agent("alex", "", chrono::Utc::now()); }
//! ```
//! ```compile_fail,E0599
//! # use recovery_desk::store::{AuditLog, ReadStore, ReadOnlyStore, outbox::Message};
//! # use recovery_desk::store::audit::SqliteAuditLog;
//! # use recovery_desk::domain::model::{MethodKind, Purpose};
//! # use recovery_desk::domain::lockout::{AfterFailure, Guarded};
//! fn desk<D: ReadStore + AuditLog>(d: &mut D) { let _ = d.disable_agent("alex"); }
//! ```
//! ```compile_fail,E0599
//! # use recovery_desk::store::{AuditLog, ReadStore, ReadOnlyStore, outbox::Message};
//! # use recovery_desk::store::audit::SqliteAuditLog;
//! # use recovery_desk::domain::model::{MethodKind, Purpose};
//! # use recovery_desk::domain::lockout::{AfterFailure, Guarded};
//! fn desk(d: &mut ReadOnlyStore, _a: &mut SqliteAuditLog) { let _ = d.disable_agent("alex"); }
//! ```
//! ```compile_fail,E0599
//! # use recovery_desk::store::{AuditLog, ReadStore, ReadOnlyStore, outbox::Message};
//! # use recovery_desk::store::audit::SqliteAuditLog;
//! # use recovery_desk::domain::model::{MethodKind, Purpose};
//! # use recovery_desk::domain::lockout::{AfterFailure, Guarded};
//! fn desk(_r: &mut ReadOnlyStore, d: &mut SqliteAuditLog) { let _ = d.disable_agent("alex"); }
//! ```
//! ```compile_fail,E0599
//! # use recovery_desk::store::{AuditLog, ReadStore, ReadOnlyStore, outbox::Message};
//! # use recovery_desk::store::audit::SqliteAuditLog;
//! # use recovery_desk::domain::model::{MethodKind, Purpose};
//! # use recovery_desk::domain::lockout::{AfterFailure, Guarded};
//! fn desk<D: ReadStore + AuditLog>(d: &mut D) { let _ = d.enable_agent("alex"); }
//! ```
//! ```compile_fail,E0599
//! # use recovery_desk::store::{AuditLog, ReadStore, ReadOnlyStore, outbox::Message};
//! # use recovery_desk::store::audit::SqliteAuditLog;
//! # use recovery_desk::domain::model::{MethodKind, Purpose};
//! # use recovery_desk::domain::lockout::{AfterFailure, Guarded};
//! fn desk(d: &mut ReadOnlyStore, _a: &mut SqliteAuditLog) { let _ = d.enable_agent("alex"); }
//! ```
//! ```compile_fail,E0599
//! # use recovery_desk::store::{AuditLog, ReadStore, ReadOnlyStore, outbox::Message};
//! # use recovery_desk::store::audit::SqliteAuditLog;
//! # use recovery_desk::domain::model::{MethodKind, Purpose};
//! # use recovery_desk::domain::lockout::{AfterFailure, Guarded};
//! fn desk(_r: &mut ReadOnlyStore, d: &mut SqliteAuditLog) { let _ = d.enable_agent("alex"); }
//! ```
//! ```compile_fail,E0599
//! # use recovery_desk::store::{AuditLog, ReadStore, ReadOnlyStore, outbox::Message};
//! # use recovery_desk::store::audit::SqliteAuditLog;
//! # use recovery_desk::domain::model::{MethodKind, Purpose};
//! # use recovery_desk::domain::lockout::{AfterFailure, Guarded};
//! fn desk<D: ReadStore + AuditLog>(d: &mut D) { let _ = d.set_agent_password("alex", ""); }
//! ```
//! ```compile_fail,E0599
//! # use recovery_desk::store::{AuditLog, ReadStore, ReadOnlyStore, outbox::Message};
//! # use recovery_desk::store::audit::SqliteAuditLog;
//! # use recovery_desk::domain::model::{MethodKind, Purpose};
//! # use recovery_desk::domain::lockout::{AfterFailure, Guarded};
//! fn desk(d: &mut ReadOnlyStore, _a: &mut SqliteAuditLog) { let _ = d.set_agent_password("alex", ""); }
//! ```
//! ```compile_fail,E0599
//! # use recovery_desk::store::{AuditLog, ReadStore, ReadOnlyStore, outbox::Message};
//! # use recovery_desk::store::audit::SqliteAuditLog;
//! # use recovery_desk::domain::model::{MethodKind, Purpose};
//! # use recovery_desk::domain::lockout::{AfterFailure, Guarded};
//! fn desk(_r: &mut ReadOnlyStore, d: &mut SqliteAuditLog) { let _ = d.set_agent_password("alex", ""); }
//! ```
//! ```compile_fail,E0277
//! # use recovery_desk::store::{AuditLog, HolderStore, ReadStore};
//! // Nor can what the desk holds be passed where a holder store is wanted…
//! fn holder(_: &mut impl HolderStore) {}
//! fn desk<R: ReadStore, A: AuditLog>(r: &mut R, _a: &mut A) { holder(r) }
//! ```
//! ```compile_fail,E0277
//! # use recovery_desk::store::{AuditLog, HolderStore, ReadStore};
//! fn holder(_: &mut impl HolderStore) {}
//! fn desk<R: ReadStore, A: AuditLog>(_r: &mut R, a: &mut A) { holder(a) }
//! ```
//! ```compile_fail,E0277
//! # use recovery_desk::store::{HolderStore, ReadOnlyStore};
//! fn holder(_: &mut impl HolderStore) {}
//! fn desk(r: &mut ReadOnlyStore) { holder(r) }
//! ```
//! ```compile_fail,E0277
//! # use recovery_desk::store::HolderStore;
//! # use recovery_desk::store::audit::SqliteAuditLog;
//! fn holder(_: &mut impl HolderStore) {}
//! fn desk(a: &mut SqliteAuditLog) { holder(a) }
//! ```
//! ```compile_fail,E0277
//! # use recovery_desk::store::{ReadOnlyStore, Store};
//! // …nor turned back into the writing type.
//! fn desk(s: ReadOnlyStore) -> Store { s.into() }
//! ```
//! ```compile_fail,E0614
//! # use recovery_desk::store::{ReadOnlyStore, Store};
//! fn desk(s: &ReadOnlyStore) -> &Store { &*s }
//! ```
//!
//! The PostgreSQL types the desk is given ([`PgReadOnly`](super::postgres::PgReadOnly) acting as
//! the desk role, [`PgAuditLog`](super::postgres::PgAuditLog)) are no holder store either:
//!
//! ```compile_fail,E0277
//! # use recovery_desk::store::HolderStore;
//! # use recovery_desk::store::postgres::PgReadOnly;
//! fn holder(_: &mut impl HolderStore) {}
//! fn desk(r: &mut PgReadOnly) { holder(r) }
//! ```
//! ```compile_fail,E0277
//! # use recovery_desk::store::HolderStore;
//! # use recovery_desk::store::postgres::PgAuditLog;
//! fn holder(_: &mut impl HolderStore) {}
//! fn desk(a: &mut PgAuditLog) { holder(a) }
//! ```
//! ```compile_fail,E0277
//! # use recovery_desk::store::AgentAdmin;
//! # use recovery_desk::store::postgres::PgReadOnly;
//! fn admin(_: &mut impl AgentAdmin) {}
//! fn desk(r: &mut PgReadOnly) { admin(r) }
//! ```
//!
//! The controls: every one of those calls, word for word, compiles with a holder store that is
//! also an agent admin (so each failure above is the capability's, not a typo's), and the
//! SQLite [`Store`](super::Store) is one.
//!
//! ```no_run
//! # use recovery_desk::store::{AgentAdmin, HolderStore, ReadStore, Store, outbox::Message};
//! # use recovery_desk::domain::model::{MethodKind, Purpose};
//! # use recovery_desk::domain::lockout::{AfterFailure, Guarded};
//! fn holder<S: HolderStore + ReadStore + AgentAdmin>(d: &mut S, m: &Message) {
//!     let _ = d.consume_recovery_code(1, 1, "", chrono::Utc::now());
//!     let _ = d.one_time_code_used(1, 1, chrono::Utc::now());
//!     let _ = d.reserve_one_time_code(1, 1, Purpose::Recovery, chrono::Utc::now());
//!     let _ = d.issue_one_time_code(1, 1, Purpose::SignIn, "", m, chrono::Utc::now());
//!     let _ = d.replace_recovery_code(1, "", chrono::Utc::now());
//!     let _ = d.set_password(1, "", true, chrono::Utc::now());
//!     let _ = d.create_pending_password(1, "", None, recovery_desk::domain::model::Proof::RecoveryCode, chrono::Utc::now());
//!     let _ = d.cancel_pending(1, 1, chrono::Utc::now());
//!     let _ = d.apply_due_changes(1, chrono::Utc::now());
//!     let _ = d.add_method(1, MethodKind::Email, "", chrono::Utc::now());
//!     let _ = d.verify_method(1, 1, chrono::Utc::now());
//!     let _ = d.remove_method(1, 1, chrono::Utc::now());
//!     let _ = d.set_two_step(1, false, chrono::Utc::now());
//!     let _ = d.record_success(1, Guarded::Password);
//!     let _ = d.record_failure(1, Guarded::Password, chrono::Utc::now());
//!     let _ = d.reserve_attempt(1, Guarded::Password, chrono::Utc::now());
//!     let _ = d.confirm_failure(1, Guarded::Password, AfterFailure::Blocked, chrono::Utc::now());
//!     let _ = d.record_sign_in(1, chrono::Utc::now());
//!     let _ = d.create_account("x", "", chrono::Utc::now());
//!     let _ = d.password_hash(1);
//!     let _ = d.active_recovery_code(1);
//!     let _ = d.add_agent("alex", "", chrono::Utc::now());
//!     let _ = d.disable_agent("alex");
//!     let _ = d.enable_agent("alex");
//!     let _ = d.set_agent_password("alex", "");
//! }
//! fn sqlite(s: &mut Store, m: &Message) { holder(s, m) }
//! ```
//!
//! The same preamble and shapes as the failing tests compile when the desk only reads and
//! appends (so those fail for the missing method, not for the preamble; stable rustdoc does
//! not check the error codes):
//!
//! ```no_run
//! # use recovery_desk::store::{AuditLog, ReadStore, ReadOnlyStore, outbox::Message};
//! # use recovery_desk::store::audit::SqliteAuditLog;
//! # use recovery_desk::domain::model::{MethodKind, Purpose};
//! # use recovery_desk::domain::lockout::{AfterFailure, Guarded};
//! fn desk<D: ReadStore + AuditLog>(d: &mut D) { let _ = d.account_view(1, chrono::Utc::now()); }
//! fn desk2(d: &mut ReadOnlyStore, _a: &mut SqliteAuditLog) { let _ = d.account_view(1, chrono::Utc::now()); }
//! fn desk3(_r: &mut ReadOnlyStore, d: &mut SqliteAuditLog) { let _ = d.append(recovery_desk::store::audit::Entry::new("alex", "lookup"), chrono::Utc::now()); }
//! fn uses(_: MethodKind, _: Purpose, _: AfterFailure, _: Guarded) {}
//! ```
//!
//! And what the desk holds does everything the desk needs: the queries and the audit log.
//!
//! ```no_run
//! # use recovery_desk::store::{AuditLog, ReadStore, ReadOnlyStore};
//! # use recovery_desk::store::audit::SqliteAuditLog;
//! # use recovery_desk::domain::identifier::Lookup;
//! # use recovery_desk::desk::jobs::DeskWorker;
//! fn desk<R: ReadStore, A: AuditLog>(s: &R, a: &mut A) {
//!     let _ = s.find_account(&Lookup::AccountId(1));
//!     let _ = s.account_view(1, chrono::Utc::now());
//!     let _ = s.agent_credentials("alex");
//!     let _ = s.agent_disabled("alex");
//!     let _ = a.append(recovery_desk::store::audit::Entry::new("alex", "lookup").about(Some(1)), chrono::Utc::now());
//!     let _ = a.reserve_sign_in("alex", chrono::Utc::now());
//!     let _ = a.agent_lockout("alex");
//!     let _ = a.unknown_name("typed");
//!     let _ = a.verify();
//! }
//! fn sqlite(s: ReadOnlyStore, mut a: SqliteAuditLog, clock: recovery_desk::clock::SharedClock) {
//!     desk(&s, &mut a);
//!     let _worker = DeskWorker::new(s, a, clock);
//! }
//! fn postgres(
//!     s: recovery_desk::store::postgres::PgReadOnly,
//!     mut a: recovery_desk::store::postgres::PgAuditLog,
//!     clock: recovery_desk::clock::SharedClock,
//! ) {
//!     desk(&s, &mut a);
//!     let _worker = DeskWorker::new(s, a, clock);
//! }
//! ```

use super::Result;
use super::audit::{AgentReservation, Entry, Verdict};
use super::holder::LiveApp;
use super::holder::{OneTimeReservation, Reservation};
use super::outbox::Message;
use crate::domain::identifier::Lookup;
use crate::domain::lockout::{AfterFailure, Guarded, Lockout};
use crate::domain::model::{
    AccountRow, AccountView, AgentCredentials, AgentRow, EventRow, MethodKind, MethodRow, Proof,
    Purpose,
};
use crate::secret::Secret;
use chrono::{DateTime, Utc};

/// Queries: what the account view and the desk's sign-in need. Nothing here returns a recovery
/// code's, a one-time code's or an account password's hash.
pub trait ReadStore: std::fmt::Debug + Send {
    /// The account an exact, normalised identifier names (verified addresses only).
    fn find_account(&self, lookup: &Lookup) -> Result<Option<AccountRow>>;

    /// Everything the account view shows, read as one consistent snapshot at `now`.
    fn account_view(&self, account_id: i64, now: DateTime<Utc>) -> Result<AccountView>;

    /// The account's methods that are not removed (verified or not, lapsed or not).
    fn methods(&self, account_id: i64) -> Result<Vec<MethodRow>>;

    /// An agent's name, password hash and state, for the desk's sign-in.
    fn agent_credentials(&self, name: &str) -> Result<Option<AgentCredentials>>;

    /// Whether an agent is disabled (`None`: no such agent), checked with every desk request.
    fn agent_disabled(&self, name: &str) -> Result<Option<bool>>;

    /// The account a normalised username names.
    fn account_by_username(&self, username: &str) -> Result<Option<AccountRow>> {
        self.find_account(&Lookup::Username(username.to_string()))
    }

    /// The account with this id; `NotFound` when there is none.
    fn account(&self, account_id: i64) -> Result<AccountRow> {
        self.find_account(&Lookup::AccountId(account_id))?
            .ok_or(super::StoreError::NotFound("account"))
    }
}

/// The writes made on behalf of the account holder, and the secrets the holder's checks
/// compare against. **Every method that changes something is one transaction** (SQLite:
/// `IMMEDIATE`; PostgreSQL: `SERIALIZABLE` or row locks): a crash or a racing session sees all
/// of it or none of it. Hashing is done by the caller before or after, never inside.
///
/// The guessing rules rest on this contract (SPEC §4, "an attempt is reserved before it is
/// hashed"): [`reserve_attempt`](Self::reserve_attempt) and
/// [`reserve_one_time_code`](Self::reserve_one_time_code) refuse while locked and otherwise
/// count the guess as a failure *in the same transaction*, so any number of sessions together
/// get at most 5 evaluated guesses per lock window; [`consume_recovery_code`](Self::consume_recovery_code)
/// and [`one_time_code_used`](Self::one_time_code_used) spend a code only if it is still
/// unspent, so a code works once however many sessions race it.
pub trait HolderStore: std::fmt::Debug + Send {
    /// Creates an account; `Conflict` when the username is taken.
    fn create_account(
        &mut self,
        username: &str,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<i64>;

    /// Adds an unverified method; `Conflict` when the address is verified on an account.
    fn add_method(
        &mut self,
        account_id: i64,
        kind: MethodKind,
        address: &str,
        now: DateTime<Utc>,
    ) -> Result<i64>;

    /// Marks a method verified (the first account to verify an address wins) and notifies.
    fn verify_method(&mut self, account_id: i64, method_id: i64, now: DateTime<Utc>) -> Result<()>;

    /// Removes a method (kept for history); its unused one-time codes die with it.
    fn remove_method(&mut self, account_id: i64, method_id: i64, now: DateTime<Utc>) -> Result<()>;

    /// Turns two-step verification on or off, and notifies.
    fn set_two_step(&mut self, account_id: i64, on: bool, now: DateTime<Utc>) -> Result<()>;

    /// Stores a new recovery code's hash; every earlier code stops working in the same
    /// transaction. Returns the new code's id.
    fn replace_recovery_code(
        &mut self,
        account_id: i64,
        new_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<i64>;

    /// Spends the code `code_id` if it is still the active one and stores its successor, in
    /// one transaction; `None`, changing nothing, when it is no longer active.
    fn consume_recovery_code(
        &mut self,
        account_id: i64,
        code_id: i64,
        successor_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<i64>>;

    /// The recovery drill's answer: sets the last-checked time of `matched` if it is still the
    /// active code, writes a security event and tells every verified method, in one
    /// transaction; returns whether `matched` was still active. The code is not spent.
    fn record_recovery_code_check(
        &mut self,
        account_id: i64,
        matched: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<bool>;

    /// Reserves one guess of kind `what`: refused while locked or blocked, otherwise counted
    /// as a failure before anything is evaluated.
    fn reserve_attempt(
        &mut self,
        account_id: i64,
        what: Guarded,
        now: DateTime<Utc>,
    ) -> Result<Reservation>;

    /// The reserved guess was wrong: a lockout it started writes its event and notices.
    fn confirm_failure(
        &mut self,
        account_id: i64,
        what: Guarded,
        after: AfterFailure,
        now: DateTime<Utc>,
    ) -> Result<()>;

    /// Records a wrong answer that was not reserved (setup and tools).
    fn record_failure(
        &mut self,
        account_id: i64,
        what: Guarded,
        now: DateTime<Utc>,
    ) -> Result<AfterFailure>;

    /// A right answer: the counter of that kind starts over.
    fn record_success(&mut self, account_id: i64, what: Guarded) -> Result<()>;

    /// A normal sign-in: the password and one-time-code counters start over.
    fn record_sign_in(&mut self, account_id: i64, now: DateTime<Utc>) -> Result<()>;

    /// Sets a new password now (`recovered`: through account recovery), and notifies. Any
    /// change still waiting is cancelled with it (it would otherwise replace this password on
    /// its date), as [`HolderStore::cancel_pending`] cancels one; returns whether one was.
    fn set_password(
        &mut self,
        account_id: i64,
        new_hash: &str,
        recovered: bool,
        now: DateTime<Utc>,
    ) -> Result<bool>;

    /// Stores a password change that waits, made with the one proof `used`; returns its id
    /// and when it takes effect. The notice names the proof.
    fn create_pending_password(
        &mut self,
        account_id: i64,
        new_hash: &str,
        issued_code: Option<i64>,
        used: Proof,
        now: DateTime<Utc>,
    ) -> Result<(i64, DateTime<Utc>)>;

    /// Adds a new authenticator app holding `secret`, sealed under the key file; a live app
    /// not yet verified is replaced. `Conflict` when a verified app is live.
    fn add_app(&mut self, account_id: i64, secret: &[u8], now: DateTime<Utc>) -> Result<i64>;

    /// The account's newest `limit` events as its owner sees them: the address of the method
    /// an event was about written out in full (everyone else sees it masked).
    fn own_events(&self, account_id: i64, limit: usize) -> Result<Vec<EventRow>>;

    /// The account's live authenticator app, verified or not, with its secret unsealed.
    fn live_app(&self, account_id: i64) -> Result<Option<LiveApp>>;

    /// Takes step `step` of app `app_id` as used, in one statement: false when that step or a
    /// later one was used already (a replay). The first use verifies the app (an event and a
    /// notice to every verified address).
    fn use_app_step(
        &mut self,
        account_id: i64,
        app_id: i64,
        step: i64,
        now: DateTime<Utc>,
    ) -> Result<bool>;

    /// Removes the app (an event and a notice).
    fn remove_app(&mut self, account_id: i64, app_id: i64, now: DateTime<Utc>) -> Result<()>;

    /// "Forgot username?": when `address` is a verified, current method of an account, sends
    /// that account's username there (and records it), unless a reminder went to the same
    /// address within [`USERNAME_REMINDER_EVERY`](super::holder::USERNAME_REMINDER_EVERY).
    /// Returns whether one was sent; the holder's screen never says.
    fn send_username(
        &mut self,
        kind: MethodKind,
        address: &str,
        now: DateTime<Utc>,
    ) -> Result<bool>;

    /// Cancels a pending change and revokes the recovery code its recovery issued; returns
    /// whether a code was revoked.
    fn cancel_pending(
        &mut self,
        account_id: i64,
        change_id: i64,
        now: DateTime<Utc>,
    ) -> Result<bool>;

    /// Applies every change of this account that is due at `now`; returns how many.
    fn apply_due_changes(&mut self, account_id: i64, now: DateTime<Utc>) -> Result<usize>;

    /// Stores a one-time code's keyed hash and sends the message carrying it, in one
    /// transaction; earlier unused codes for the same method and purpose stop working.
    fn issue_one_time_code(
        &mut self,
        account_id: i64,
        method_id: i64,
        purpose: Purpose,
        code_hash: &str,
        message: &Message,
        now: DateTime<Utc>,
    ) -> Result<i64>;

    /// Reserves a one-time code guess: refused while locked; otherwise the newest usable code
    /// sent to this method of this account for this purpose loses a try and the account
    /// counts a failure, before the typed code is compared.
    fn reserve_one_time_code(
        &mut self,
        account_id: i64,
        method_id: i64,
        purpose: Purpose,
        now: DateTime<Utc>,
    ) -> Result<OneTimeReservation>;

    /// A right one-time code: spent (if still unspent) and the counter starts over; `false`,
    /// changing nothing, when it was spent already.
    fn one_time_code_used(
        &mut self,
        account_id: i64,
        code_id: i64,
        now: DateTime<Utc>,
    ) -> Result<bool>;

    /// The keyed hash a one-time code is stored as (the key lives outside the database).
    fn one_time_mac(
        &self,
        account_id: i64,
        method_id: i64,
        purpose: Purpose,
        code: &Secret,
    ) -> Result<String>;

    /// The account's password hash, for sign-in and re-authentication.
    fn password_hash(&self, account_id: i64) -> Result<String>;

    /// Whether the password in force was set by a change made through recovery that waited
    /// its 30 days and took effect (and no password has been set since).
    fn password_from_waited_change(&self, account_id: i64) -> Result<bool>;

    /// The active recovery code's id and hash, if there is one.
    fn active_recovery_code(&self, account_id: i64) -> Result<Option<(i64, String)>>;

    /// The persisted counter for one kind of entry.
    fn lockout(&self, account_id: i64, what: Guarded) -> Result<Lockout>;
}

/// The hash-chained audit log: the desk's only write.
pub trait AuditLog: std::fmt::Debug + Send {
    /// Appends one row, in one transaction (two desks never fork the chain).
    fn append(&mut self, entry: Entry<'_>, now: DateTime<Utc>) -> Result<()>;

    /// How a typed name that is no agent's is written: a keyed hash, never the text.
    fn unknown_name(&self, typed: &str) -> String;

    /// The agent's sign-in lockout, derived from the log.
    fn agent_lockout(&self, agent: &str) -> Result<Lockout>;

    /// The password hash `agent` set at the desk (an `agent_password_changed` row) since the
    /// administrator last set one, if any; a row whose keyed hash does not verify is an
    /// error. The agent's password is this when set, else the agents table's.
    fn desk_password(&self, agent: &str) -> Result<Option<String>>;

    /// Reserves one agent sign-in attempt in one transaction: refused (and logged) while
    /// locked, otherwise logged as an attempt before the password is hashed.
    fn reserve_sign_in(&mut self, agent: &str, now: DateTime<Utc>) -> Result<AgentReservation>;

    /// Checks the chain and its keyed head.
    fn verify(&self) -> Result<Verdict>;
}

/// The CLI's `agent` commands.
pub trait AgentAdmin: std::fmt::Debug + Send {
    /// Adds an agent; `Conflict` when the name is taken.
    fn add_agent(&mut self, name: &str, password_hash: &str, now: DateTime<Utc>) -> Result<()>;
    /// Every agent, by name.
    fn agents(&self) -> Result<Vec<AgentRow>>;
    /// `NotFound` when there is no such agent.
    fn disable_agent(&mut self, name: &str) -> Result<()>;
    /// `NotFound` when there is no such agent.
    fn enable_agent(&mut self, name: &str) -> Result<()>;
    /// Replaces an enabled agent's password hash; a disabled agent is a `Conflict`.
    fn set_agent_password(&mut self, name: &str, password_hash: &str) -> Result<()>;
    /// Records an agent command in the audit log, as a row of the agent acted on (a new
    /// password's row is where that agent's sign-in lockout starts over).
    fn audit_agent_command(&mut self, name: &str, action: &str, now: DateTime<Utc>) -> Result<()>;
}
