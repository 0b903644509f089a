//! The product's model: what an account, a sign-in method, a one-time code's purpose and an
//! agent are, as the rules and both consoles see them. The store maps its rows to these types
//! (whatever the backend); nothing here knows how they are stored.

use crate::domain::lockout::Guarded;
use crate::domain::mask;
use chrono::{DateTime, Utc};

/// Email or phone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MethodKind {
    Email,
    Phone,
}

impl MethodKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MethodKind::Email => "email",
            MethodKind::Phone => "phone",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "email" => Some(MethodKind::Email),
            "phone" => Some(MethodKind::Phone),
            _ => None,
        }
    }
    /// The masked form shown on screens and in notices.
    pub fn mask(self, address: &str) -> String {
        match self {
            MethodKind::Email => mask::email(address),
            MethodKind::Phone => mask::phone(address),
        }
    }
}

/// An account, without its password hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRow {
    pub id: i64,
    pub username: String,
    pub two_step: bool,
    pub created_at: DateTime<Utc>,
    pub password_changed_at: DateTime<Utc>,
}

/// A sign-in method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MethodRow {
    pub id: i64,
    pub kind: MethodKind,
    pub address: String,
    pub verified: bool,
    pub added_at: DateTime<Utc>,
}

impl MethodRow {
    pub fn masked(&self) -> String {
        self.kind.mask(&self.address)
    }
}

/// Recovery code status: never the code, never its hash.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RecoveryStatus {
    /// When the active code was generated, if there is one.
    pub active_since: Option<DateTime<Utc>>,
    /// When a code was last used to recover the account.
    pub last_used: Option<DateTime<Utc>>,
    /// When the holder last checked the active code against their saved copy (the recovery
    /// drill), if ever.
    pub last_checked: Option<DateTime<Utc>>,
    /// The password in force was set by a change made through recovery that waited its 30
    /// days: until another password is set, the recovery code counts as the second step of
    /// a sign-in even while verified methods remain (SPEC §4).
    pub password_from_recovery: bool,
}

/// A change waiting to take effect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingRow {
    pub id: i64,
    pub kind: String,
    pub requested_at: DateTime<Utc>,
    pub effective_at: DateTime<Utc>,
}

/// A security event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRow {
    pub at: DateTime<Utc>,
    pub kind: String,
    pub detail: String,
}

/// An entry kind locked right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockRow {
    pub what: Guarded,
    pub until: DateTime<Utc>,
}

/// A verified authenticator app: only when it was added (never its secret).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppRow {
    pub id: i64,
    pub added_at: DateTime<Utc>,
}

/// How the authenticator app is named among the ways to get a code.
pub const APP_AS_A_WAY: &str = "their authenticator app";

/// Everything the account view shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountView {
    pub account: AccountRow,
    pub methods: Vec<MethodRow>,
    /// The verified authenticator app, if there is one.
    pub app: Option<AppRow>,
    pub recovery: RecoveryStatus,
    pub locks: Vec<LockRow>,
    pub pending: Vec<PendingRow>,
    pub events: Vec<EventRow>,
}

impl AccountView {
    /// Where the holder can get a code, in order: the verified methods' masked addresses, then
    /// their authenticator app if they have one.
    pub fn verified_masked(&self) -> Vec<String> {
        let mut ways: Vec<String> = self
            .methods
            .iter()
            .filter(|m| m.verified)
            .map(MethodRow::masked)
            .collect();
        if self.app.is_some() {
            ways.push(APP_AS_A_WAY.to_string());
        }
        ways
    }
}

/// Kinds of security event, as stored.
pub mod event {
    pub const ACCOUNT_CREATED: &str = "account_created";
    pub const SIGNED_IN: &str = "signed_in";
    pub const PASSWORD_CHANGED: &str = "password_changed";
    pub const CODE_GENERATED: &str = "recovery_code_generated";
    pub const CODE_USED: &str = "recovery_code_used";
    pub const RECOVERED: &str = "account_recovered";
    pub const LOCKED: &str = "lockout";
    pub const METHOD_ADDED: &str = "method_added";
    pub const METHOD_VERIFIED: &str = "method_verified";
    pub const METHOD_REMOVED: &str = "method_removed";
    pub const TWO_STEP_ON: &str = "two_step_on";
    pub const TWO_STEP_OFF: &str = "two_step_off";
    pub const CHANGE_PENDING: &str = "change_pending";
    pub const CHANGE_CANCELLED: &str = "change_cancelled";
    pub const CHANGE_APPLIED: &str = "change_applied";
    /// The holder checked a saved recovery code (the drill); the detail says whether it was
    /// the current one, never the code.
    pub const CODE_CHECKED: &str = "recovery_code_checked";
    /// The username was sent to one of the account's verified addresses ("Forgot username?").
    pub const USERNAME_SENT: &str = "username_sent";
    pub const APP_ADDED: &str = "authenticator_app_added";
    pub const APP_REMOVED: &str = "authenticator_app_removed";
}

/// A proof of identity gathered during recovery: a code sent to one of the account's
/// verified methods (by the method's id), or the recovery code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Proof {
    MethodCode(i64),
    RecoveryCode,
    /// A code from the account's authenticator app.
    App,
}

/// What a one-time code is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    VerifyMethod,
    /// The second step of a sign-in that began with the password.
    SignIn,
    Recovery,
    /// Signing in with a code instead of the password: with two-step verification off it
    /// signs in; with it on, it is the first of the two steps (the password is the other).
    CodeSignIn,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::VerifyMethod => "verify_method",
            Purpose::SignIn => "sign_in",
            Purpose::Recovery => "recovery",
            Purpose::CodeSignIn => "code_sign_in",
        }
    }
}

/// An agent as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentRow {
    pub name: String,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
}

/// What the desk needs to check an agent's password.
#[derive(Debug, Clone)]
pub struct AgentCredentials {
    pub name: String,
    pub password_hash: String,
    pub disabled: bool,
}
