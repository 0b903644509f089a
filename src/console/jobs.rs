//! The holder console's jobs: what its worker thread (the generic [`Worker`]) does with the
//! [`Service`] it owns (and through it the database connection), Argon2 included, so the UI
//! thread never blocks. [`execute`] is the one place a [`Job`] turns into a service call; every
//! reply is a [`Reply`] whose `result` carries either what the job came to or why it failed, so
//! `update` handles "sign in again", "not signed in" and store errors in one place.
//!
//! Every account view a job hands back is [`Clean`]: its text from the database is sanitised
//! here, once, on the worker side, so no screen holds or draws raw database text.

use super::strings as s;
use crate::domain::model::Purpose;
use crate::domain::model::{AccountView, MethodKind};
use crate::secret::Secret;
use crate::service::{
    Attempt, CodeCheck, DrillCheck, NewApp, Proof, RecoveryCheck, ResetOutcome, Service,
    ServiceError,
};
use crate::store::{HolderStore, ReadStore};
use crate::tui::sanitize::Clean;
use crate::tui::worker::{self, Crashed, Jobs};

pub use crate::tui::worker::Worker;

/// A request to the console's worker.
pub type Request = worker::Request<Job>;

/// The console worker's answer to the request with the same id.
pub type Reply = worker::Reply<Done, JobError>;

/// One operation for the worker. Secrets travel as [`Secret`] and are wiped when dropped.
#[derive(Debug, Clone)]
pub enum Job {
    /// Look an account up by username (first step of signing in, recovering, the helper).
    Find {
        username: String,
    },
    CheckPassword {
        account_id: i64,
        password: Secret,
    },
    SendCode {
        account_id: i64,
        method_id: i64,
        purpose: Purpose,
    },
    CheckCode {
        account_id: i64,
        method_id: i64,
        purpose: Purpose,
        code: Secret,
    },
    CheckRecoveryCode {
        account_id: i64,
        code: Secret,
    },
    /// The recovery code as the second step of signing in (two-step on, no method left).
    SecondStepRecoveryCode {
        account_id: i64,
        code: Secret,
    },
    ResetPassword {
        account_id: i64,
        password: Secret,
        confirm: Secret,
    },
    CreateAccount {
        username: String,
        password: Secret,
        confirm: Secret,
    },
    /// The signed-in holder's view.
    MyView,
    Reauthenticate {
        password: Secret,
    },
    GenerateRecoveryCode,
    AddMethod {
        kind: MethodKind,
        address: String,
    },
    RemoveMethod {
        method_id: i64,
    },
    SetTwoStep {
        on: bool,
    },
    CancelPending {
        change_id: i64,
    },
    SignOut,
    /// Before the recovery drill asks for a code: the sign-in must be recent (else the
    /// password again).
    BeginCodeCheck,
    /// The recovery drill: a saved code checked, not spent.
    CheckSavedCode {
        code: Secret,
    },
    /// "Forgot username?": send the username to this address if it is a verified one.
    SendUsername {
        address: String,
    },
    /// Start adding an authenticator app: its secret, shown once.
    BeginAddApp,
    /// Confirm the app being added with a current code from it.
    ConfirmApp {
        code: Secret,
    },
    /// A code from the account's authenticator app, for `purpose`.
    CheckAppCode {
        account_id: i64,
        purpose: Purpose,
        code: Secret,
    },
    RemoveApp,
}

impl Job {
    /// Whether the job needs a recent sign-in, and so is retried after the holder enters the
    /// password again (the service answers `ReauthRequired` otherwise).
    pub fn needs_recent_sign_in(&self) -> bool {
        matches!(
            self,
            Job::GenerateRecoveryCode
                | Job::AddMethod { .. }
                | Job::RemoveMethod { .. }
                | Job::SetTwoStep { .. }
                | Job::BeginCodeCheck
                | Job::CheckSavedCode { .. }
                | Job::BeginAddApp
                | Job::ConfirmApp { .. }
                | Job::RemoveApp
        )
    }

    /// What the spinner says while the job runs, also when it is retried after the password
    /// was entered again. The match has no catch-all: a new job must name its own.
    pub fn busy_label(&self) -> &'static str {
        match self {
            Job::Find { .. } => s::BUSY_LOOKUP,
            Job::SendUsername { .. } => s::BUSY_SENDING,
            Job::CheckPassword { .. } | Job::Reauthenticate { .. } => s::BUSY_PASSWORD,
            Job::SendCode { .. } | Job::AddMethod { .. } => s::BUSY_SEND,
            Job::CheckCode { .. } => s::BUSY_CODE,
            Job::CheckRecoveryCode { .. } | Job::SecondStepRecoveryCode { .. } => s::BUSY_RECOVERY,
            Job::CreateAccount { .. } => s::BUSY_CREATE,
            Job::GenerateRecoveryCode => s::BUSY_GENERATE,
            Job::ResetPassword { .. }
            | Job::RemoveMethod { .. }
            | Job::SetTwoStep { .. }
            | Job::CancelPending { .. }
            | Job::SignOut => s::BUSY_SAVE,
            Job::MyView | Job::BeginCodeCheck => s::BUSY_LOAD,
            Job::CheckSavedCode { .. } => s::BUSY_CHECK_SAVED,
            Job::BeginAddApp => s::BUSY_LOAD,
            Job::ConfirmApp { .. } | Job::CheckAppCode { .. } => s::BUSY_CODE,
            Job::RemoveApp => s::BUSY_SAVE,
        }
    }
}

/// What a [`Job`] came to.
#[derive(Debug)]
pub enum Outcome {
    Found(Clean<AccountView>),
    /// The password step; `Accepted(true)`: a second step is needed, and the `bool` says
    /// whether the recovery code counts as one (SPEC §4).
    Password(Attempt<bool>, bool),
    /// A code was sent. The screen that asked knows to which method (from its clean view)
    /// and masks that address itself, as the desk does: the service's masked address, masked
    /// before it was sanitised, is not passed on.
    CodeSent,
    /// A one-time code check, and the recovery proofs gathered so far for that account.
    Code(Attempt<CodeCheck>, Vec<Proof>),
    /// A recovery code check, and the recovery proofs gathered so far for that account.
    RecoveryCode(Attempt<RecoveryCheck>, Vec<Proof>),
    Reset(ResetOutcome),
    Created(i64),
    View(Clean<AccountView>),
    Reauthenticated(Attempt<()>),
    CodeGenerated(Secret),
    /// The new method's id (a verification code was sent to it).
    MethodAdded(i64),
    /// A method removed, two-step verification switched, or a pending change cancelled.
    Changed,
    SignedOut,
    /// The sign-in is recent: the drill may ask for the code.
    ReadyToCheck,
    /// What the recovery drill found.
    SavedCodeChecked(Attempt<DrillCheck>),
    /// "Forgot username?" answered (the same whether or not anything was sent).
    UsernameRequested,
    /// An authenticator app is being added: what the holder's app needs, shown once.
    AppStarted(Box<NewApp>),
    /// The code typed to confirm the app being added.
    AppConfirmed(Attempt<CodeCheck>),
}

/// A job done.
#[derive(Debug)]
pub struct Done {
    pub outcome: Outcome,
    /// The holder's fresh view when someone is signed in after the job, so screens never show
    /// stale account state.
    pub view: Option<Clean<AccountView>>,
}

/// Why a job failed.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    #[error(transparent)]
    Service(#[from] ServiceError),
    /// The job panicked and the worker stopped.
    #[error(transparent)]
    Crashed(#[from] Crashed),
}

/// Runs one job on the service. Pure dispatch: every rule lives in the service.
pub fn execute<S: HolderStore + ReadStore>(
    service: &mut Service<S>,
    job: Job,
) -> Result<Outcome, ServiceError> {
    Ok(match job {
        Job::Find { username } => Outcome::Found(Clean::new(service.find(&username)?)),
        Job::CheckPassword {
            account_id,
            password,
        } => {
            let attempt = service.check_password(account_id, &password)?;
            let code_counts = matches!(attempt, Attempt::Accepted(true))
                && service.recovery_code_is_second_step(account_id)?;
            Outcome::Password(attempt, code_counts)
        }
        Job::SendCode {
            account_id,
            method_id,
            purpose,
        } => {
            service.send_code(account_id, method_id, purpose)?;
            Outcome::CodeSent
        }
        Job::CheckCode {
            account_id,
            method_id,
            purpose,
            code,
        } => {
            let r = service.check_code(account_id, method_id, purpose, code.expose())?;
            Outcome::Code(r, service.proofs(account_id))
        }
        Job::CheckRecoveryCode { account_id, code } => {
            let r = service.check_recovery_code(account_id, code.expose())?;
            Outcome::RecoveryCode(r, service.proofs(account_id))
        }
        Job::SecondStepRecoveryCode { account_id, code } => Outcome::RecoveryCode(
            service.second_step_with_recovery_code(account_id, code.expose())?,
            vec![],
        ),
        Job::ResetPassword {
            account_id,
            password,
            confirm,
        } => Outcome::Reset(service.reset_password(account_id, &password, &confirm)?),
        Job::CreateAccount {
            username,
            password,
            confirm,
        } => Outcome::Created(service.create_account(&username, &password, &confirm)?),
        Job::MyView => Outcome::View(Clean::new(service.my_view()?)),
        Job::Reauthenticate { password } => {
            Outcome::Reauthenticated(service.reauthenticate(&password)?)
        }
        Job::GenerateRecoveryCode => Outcome::CodeGenerated(service.generate_recovery_code()?),
        Job::AddMethod { kind, address } => {
            Outcome::MethodAdded(service.add_method(kind, &address)?)
        }
        Job::RemoveMethod { method_id } => {
            service.remove_method(method_id)?;
            Outcome::Changed
        }
        Job::SetTwoStep { on } => {
            service.set_two_step(on)?;
            Outcome::Changed
        }
        Job::CancelPending { change_id } => {
            service.cancel_pending(change_id)?;
            Outcome::Changed
        }
        Job::SignOut => {
            service.sign_out();
            Outcome::SignedOut
        }
        Job::BeginCodeCheck => {
            service.require_recent_sign_in()?;
            Outcome::ReadyToCheck
        }
        Job::CheckSavedCode { code } => {
            Outcome::SavedCodeChecked(service.check_saved_recovery_code(code.expose())?)
        }
        Job::SendUsername { address } => {
            service.send_username(&address)?;
            Outcome::UsernameRequested
        }
        Job::BeginAddApp => Outcome::AppStarted(Box::new(service.begin_add_app()?)),
        Job::ConfirmApp { code } => Outcome::AppConfirmed(service.confirm_app(code.expose())?),
        Job::CheckAppCode {
            account_id,
            purpose,
            code,
        } => Outcome::Code(
            service.check_app_code(account_id, purpose, code.expose())?,
            service.proofs(account_id),
        ),
        Job::RemoveApp => {
            service.remove_app()?;
            Outcome::Changed
        }
    })
}

/// The holder console's worker runs jobs on the service and adds the fresh view.
impl<S: HolderStore + ReadStore + 'static> Jobs for Service<S> {
    type Job = Job;
    type Outcome = Done;
    type Error = JobError;

    fn run(&mut self, job: Job) -> Result<Done, JobError> {
        let outcome = execute(self, job)?;
        let view = self
            .signed_in()
            .and_then(|_| self.my_view().ok())
            .map(Clean::new);
        Ok(Done { outcome, view })
    }
}

/// Runs `request` and builds its reply, as the worker thread does (tests drive the console
/// synchronously with it).
pub fn answer<S: HolderStore + ReadStore + 'static>(
    service: &mut Service<S>,
    request: Request,
) -> Reply {
    worker::answer(service, request)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The jobs retried after the password was entered again keep the labels the re-auth
    /// screen gave them before each job named its own.
    #[test]
    fn retried_jobs_keep_their_busy_labels() {
        let code = || Secret::new("x");
        let retried = [
            (Job::GenerateRecoveryCode, s::BUSY_GENERATE),
            (
                Job::AddMethod {
                    kind: MethodKind::Email,
                    address: "a@example.com".into(),
                },
                s::BUSY_SEND,
            ),
            (Job::RemoveMethod { method_id: 1 }, s::BUSY_SAVE),
            (Job::SetTwoStep { on: true }, s::BUSY_SAVE),
            (Job::BeginCodeCheck, s::BUSY_LOAD),
            (Job::CheckSavedCode { code: code() }, s::BUSY_CHECK_SAVED),
        ];
        for (job, label) in retried {
            assert!(job.needs_recent_sign_in(), "{job:?}");
            assert_eq!(job.busy_label(), label, "{job:?}");
        }
    }
}
