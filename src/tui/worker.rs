//! The one worker both consoles use: a thread that owns what is slow or holds the database
//! (the connection, Argon2) so the screen keeps drawing (gitui's `AsyncSingleJob`).
//!
//! A console hands it [`Request`]s, each with an id; every answer is a [`Reply`] with the same
//! id and a `Result`, so a console handles its errors — "sign in again", a store error, a
//! crashed job — in one place, whatever the job was. The console keeps the id it waits for
//! and drops any other reply as stale. A job that panics is answered with [`Crashed`] (one
//! line, never the panic's payload: it could hold a secret) and the worker stops. Dropping
//! the [`Worker`] lets it finish the jobs already queued (a sign-out audit row) and joins it.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc::{self, Sender};
use std::thread::{self, JoinHandle};

/// What a console's worker does: one job in, one result out. Implemented by the holder
/// console's jobs (`console::jobs`) and the desk's (`desk::jobs`).
pub trait Jobs: Send + 'static {
    type Job: Send + 'static;
    type Outcome: Send + 'static;
    type Error: From<Crashed> + Send + 'static;
    /// Does one job. Synchronous, so tests drive a console without a thread.
    fn run(&mut self, job: Self::Job) -> Result<Self::Outcome, Self::Error>;
}

/// A job and the id its reply will carry.
#[derive(Debug)]
pub struct Request<J> {
    pub id: u64,
    pub job: J,
}

/// The answer to the request with the same id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply<O, E> {
    pub id: u64,
    pub result: Result<O, E>,
}

/// The request a screen waits for (a spinner shows `label`); any reply with another id is
/// stale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub id: u64,
    pub label: &'static str,
}

/// A console's side of its requests: the ids it hands out and the one it waits for.
#[derive(Debug, Default, Clone)]
pub struct Requests {
    last_id: u64,
    pub pending: Option<Pending>,
}

impl Requests {
    /// A request the screen waits for.
    pub fn wait<J>(&mut self, job: J, label: &'static str) -> Request<J> {
        let request = self.fire(job);
        self.pending = Some(Pending {
            id: request.id,
            label,
        });
        request
    }

    /// A request nobody waits for: its reply is dropped as stale.
    pub fn fire<J>(&mut self, job: J) -> Request<J> {
        self.last_id += 1;
        Request {
            id: self.last_id,
            job,
        }
    }

    /// Whether a reply is awaited.
    pub fn is_pending(&self) -> bool {
        self.pending.is_some()
    }

    /// The awaited request's id.
    pub fn pending_id(&self) -> Option<u64> {
        self.pending.as_ref().map(|p| p.id)
    }

    /// Whether the reply `id` is the awaited one; if so, nothing is awaited any more.
    pub fn answered(&mut self, id: u64) -> bool {
        let awaited = self.pending_id() == Some(id);
        if awaited {
            self.pending = None;
        }
        awaited
    }
}

/// A job panicked; the worker has stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the worker stopped after an internal error")]
pub struct Crashed;

/// The reply a [`Jobs`] gives to a request.
pub type ReplyOf<H> = Reply<<H as Jobs>::Outcome, <H as Jobs>::Error>;

/// Runs `request` on `jobs` and builds its reply (what the worker thread does, and what a
/// synchronous test driver does).
pub fn answer<H: Jobs>(jobs: &mut H, request: Request<H::Job>) -> ReplyOf<H> {
    Reply {
        id: request.id,
        result: jobs.run(request.job),
    }
}

/// A console's handle on its worker thread.
#[derive(Debug)]
pub struct Worker<J> {
    tx: Option<Sender<Request<J>>>,
    handle: Option<JoinHandle<()>>,
}

impl<J: Send + 'static> Worker<J> {
    /// Starts the thread `name` owning `jobs`. Each reply is wrapped by `wrap` and sent on
    /// `out` (the console's one message channel). The thread ends when the [`Worker`] is
    /// dropped (after the jobs already queued), when `out` is gone, or after a job panics.
    pub fn spawn<H, M>(
        name: &str,
        jobs: H,
        out: Sender<M>,
        wrap: fn(ReplyOf<H>) -> M,
    ) -> std::io::Result<Worker<J>>
    where
        H: Jobs<Job = J>,
        M: Send + 'static,
    {
        let (tx, rx) = mpsc::channel::<Request<J>>();
        let handle = thread::Builder::new().name(name.into()).spawn(move || {
            let mut jobs = jobs;
            for request in rx {
                let id = request.id;
                match catch_unwind(AssertUnwindSafe(|| answer(&mut jobs, request))) {
                    Ok(reply) => {
                        if out.send(wrap(reply)).is_err() {
                            break;
                        }
                    }
                    Err(_) => {
                        // The payload is dropped unread: it could hold a secret.
                        let result = Err(H::Error::from(Crashed));
                        let _ = out.send(wrap(Reply { id, result }));
                        break;
                    }
                }
            }
        })?;
        Ok(Worker {
            tx: Some(tx),
            handle: Some(handle),
        })
    }

    /// Queues a request; `false` when the worker has stopped.
    pub fn send(&self, request: Request<J>) -> bool {
        self.tx.as_ref().is_some_and(|tx| tx.send(request).is_ok())
    }
}

impl<J> Drop for Worker<J> {
    fn drop(&mut self) {
        // Closing the request channel ends the thread after the jobs already queued; wait for
        // it so the database connection is closed cleanly before the process exits.
        drop(self.tx.take());
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    struct Echo;

    #[derive(Debug, PartialEq)]
    enum Failed {
        Odd,
        Crashed,
    }

    impl From<Crashed> for Failed {
        fn from(_: Crashed) -> Self {
            Failed::Crashed
        }
    }

    impl Jobs for Echo {
        type Job = u32;
        type Outcome = u32;
        type Error = Failed;
        fn run(&mut self, job: u32) -> Result<u32, Failed> {
            match job {
                13 => panic!("secret 1234 in a panic"),
                n if n % 2 == 1 => Err(Failed::Odd),
                n => Ok(n),
            }
        }
    }

    #[test]
    fn replies_carry_their_ids_and_a_panic_is_one_crashed_reply() {
        let (tx, rx) = mpsc::channel();
        let worker = Worker::spawn("test-worker", Echo, tx, |r| r).unwrap();
        for (id, job) in [(1, 2), (2, 3), (3, 13), (4, 4)] {
            worker.send(Request { id, job });
        }
        let wait = Duration::from_secs(5);
        assert_eq!(
            rx.recv_timeout(wait).unwrap(),
            Reply {
                id: 1,
                result: Ok(2)
            }
        );
        assert_eq!(
            rx.recv_timeout(wait).unwrap(),
            Reply {
                id: 2,
                result: Err(Failed::Odd)
            }
        );
        assert_eq!(
            rx.recv_timeout(wait).unwrap(),
            Reply {
                id: 3,
                result: Err(Failed::Crashed)
            }
        );
        // The worker stopped after the panic: nothing more comes, and the drop joins.
        drop(worker);
        assert!(rx.recv_timeout(Duration::from_millis(50)).is_err());
    }

    #[test]
    fn dropping_the_worker_finishes_the_queued_jobs_first() {
        let (tx, rx) = mpsc::channel();
        let worker = Worker::spawn("test-worker", Echo, tx, |r| r).unwrap();
        for id in 0..20 {
            worker.send(Request { id, job: 2 });
        }
        drop(worker);
        assert_eq!(rx.try_iter().count(), 20);
    }
}
