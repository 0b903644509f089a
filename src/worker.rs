//! The worker thread of the account holder console: it owns the [`Service`] (and through it
//! the database connection) and runs every Argon2 hash, so the UI thread never blocks.
//!
//! The console sends a [`Request`] carrying an id; the worker answers with a [`Reply`] carrying
//! the same id. The console keeps only the id of its latest outstanding request and drops any
//! other reply as stale. [`execute`] is the one place a [`Job`] turns into a service call; tests
//! call it directly to drive the console synchronously.

use crate::secret::Secret;
use crate::service::{
    Attempt, CodeCheck, Proof, RecoveryCheck, ResetOutcome, Service, ServiceError,
};
use crate::store::holder::Purpose;
use crate::store::read::{AccountView, MethodKind};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread::{self, JoinHandle};

/// Result of a service call, as the console receives it.
pub type Res<T> = Result<T, ServiceError>;

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
}

/// What a [`Job`] came to.
#[derive(Debug)]
pub enum Outcome {
    Found(Res<AccountView>),
    Password(Res<Attempt<bool>>),
    /// The masked address the code went to.
    CodeSent(Res<String>),
    /// A one-time code check, and the recovery proofs gathered so far for that account.
    Code(Res<Attempt<CodeCheck>>, Vec<Proof>),
    /// A recovery code check, and the recovery proofs gathered so far for that account.
    RecoveryCode(Res<Attempt<RecoveryCheck>>, Vec<Proof>),
    Reset(Res<ResetOutcome>),
    Created(Res<i64>),
    View(Res<AccountView>),
    Reauthenticated(Res<Attempt<()>>),
    CodeGenerated(Res<Secret>),
    /// The new method's id (a verification code was sent to it).
    MethodAdded(Res<i64>),
    /// A method removed, two-step verification switched, or a pending change cancelled.
    Changed(Res<()>),
    SignedOut,
    /// The worker hit an internal error and stopped.
    Crashed,
}

/// A request: the job and the id its reply will carry.
#[derive(Debug)]
pub struct Request {
    pub id: u64,
    pub job: Job,
}

/// A reply to the request with the same id.
#[derive(Debug)]
pub struct Reply {
    pub id: u64,
    pub outcome: Outcome,
    /// The holder's fresh view when someone is signed in after the job, so screens never show
    /// stale account state.
    pub view: Option<AccountView>,
}

/// Runs one job on the service. Pure dispatch: every rule lives in the service.
pub fn execute(service: &mut Service, job: Job) -> Outcome {
    match job {
        Job::Find { username } => Outcome::Found(service.find(&username)),
        Job::CheckPassword {
            account_id,
            password,
        } => Outcome::Password(service.check_password(account_id, &password)),
        Job::SendCode {
            account_id,
            method_id,
            purpose,
        } => Outcome::CodeSent(service.send_code(account_id, method_id, purpose)),
        Job::CheckCode {
            account_id,
            method_id,
            purpose,
            code,
        } => {
            let r = service.check_code(account_id, method_id, purpose, code.expose());
            Outcome::Code(r, service.proofs(account_id))
        }
        Job::CheckRecoveryCode { account_id, code } => {
            let r = service.check_recovery_code(account_id, code.expose());
            Outcome::RecoveryCode(r, service.proofs(account_id))
        }
        Job::SecondStepRecoveryCode { account_id, code } => Outcome::RecoveryCode(
            service.second_step_with_recovery_code(account_id, code.expose()),
            vec![],
        ),
        Job::ResetPassword {
            account_id,
            password,
            confirm,
        } => Outcome::Reset(service.reset_password(account_id, &password, &confirm)),
        Job::CreateAccount {
            username,
            password,
            confirm,
        } => Outcome::Created(service.create_account(&username, &password, &confirm)),
        Job::MyView => Outcome::View(service.my_view()),
        Job::Reauthenticate { password } => {
            Outcome::Reauthenticated(service.reauthenticate(&password))
        }
        Job::GenerateRecoveryCode => Outcome::CodeGenerated(service.generate_recovery_code()),
        Job::AddMethod { kind, address } => {
            Outcome::MethodAdded(service.add_method(kind, &address))
        }
        Job::RemoveMethod { method_id } => Outcome::Changed(service.remove_method(method_id)),
        Job::SetTwoStep { on } => Outcome::Changed(service.set_two_step(on)),
        Job::CancelPending { change_id } => Outcome::Changed(service.cancel_pending(change_id)),
        Job::SignOut => {
            service.sign_out();
            Outcome::SignedOut
        }
    }
}

/// Runs `request` and builds its reply (with the fresh view when someone is signed in).
pub fn answer(service: &mut Service, request: Request) -> Reply {
    let outcome = execute(service, request.job);
    let view = service.signed_in().and_then(|_| service.my_view().ok());
    Reply {
        id: request.id,
        outcome,
        view,
    }
}

/// The console's handle on the worker thread.
#[derive(Debug)]
pub struct Worker {
    tx: Sender<Request>,
    handle: Option<JoinHandle<()>>,
}

impl Worker {
    /// Starts the worker thread owning `service`. Each reply is wrapped by `wrap` and sent on
    /// `out` (the console's one message channel). If a job panics, the worker sends a
    /// [`Outcome::Crashed`] reply and stops.
    pub fn spawn<M: Send + 'static>(
        service: Service,
        out: Sender<M>,
        wrap: fn(Reply) -> M,
    ) -> std::io::Result<Worker> {
        let (tx, rx): (Sender<Request>, Receiver<Request>) = mpsc::channel();
        let handle = thread::Builder::new()
            .name("worker".into())
            .spawn(move || {
                let mut service = service;
                for request in rx {
                    let id = request.id;
                    let reply = catch_unwind(AssertUnwindSafe(|| answer(&mut service, request)));
                    match reply {
                        Ok(reply) => {
                            if out.send(wrap(reply)).is_err() {
                                break;
                            }
                        }
                        Err(_) => {
                            let _ = out.send(wrap(Reply {
                                id,
                                outcome: Outcome::Crashed,
                                view: None,
                            }));
                            break;
                        }
                    }
                }
            })?;
        Ok(Worker {
            tx,
            handle: Some(handle),
        })
    }

    /// Queues a request; `false` when the worker has stopped.
    pub fn send(&self, request: Request) -> bool {
        self.tx.send(request).is_ok()
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        // Closing the request channel ends the thread after its current job; wait for it so
        // the database connection is closed cleanly before the process exits.
        let (dead_tx, _) = mpsc::channel();
        drop(std::mem::replace(&mut self.tx, dead_tx));
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}
