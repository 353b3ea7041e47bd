//! Group commit. A committed write costs one flush of the log to disk, and a disk flushes
//! a few hundred times a second at best; writes must also take the database's one write
//! lock in turn. So writes that arrive while another is being committed wait for it, then
//! go to the database together in one transaction — one commit, one flush — each inside a
//! savepoint of its own, so that each is still all or nothing and fails alone. A quiet
//! server commits each write as it comes, with no added wait; a busy one commits many per
//! flush.
//!
//! The group runs in a task of its own, so a caller that gives up waiting (a client that
//! hangs up) cannot cut short the commit of the writes grouped with its own.

use std::sync::Arc;

use chrono::Utc;
use tokio::sync::{mpsc, oneshot};

use super::{Applied, Write, apply_group, apply_together};
use crate::error::{StoreError, StoreResult};
use crate::store::Store;

/// The most writes committed together: enough to spread one flush over a busy server's
/// concurrent requests, few enough that one group's transaction stays short.
const MAX_GROUP: usize = 64;

type Answer = StoreResult<Vec<Applied>>;

struct Job {
    writes: Vec<Write>,
    reply: oneshot::Sender<Answer>,
}

/// The queue of writes waiting to be committed, and the task committing them.
#[derive(Debug)]
pub struct GroupCommit {
    jobs: mpsc::UnboundedSender<Job>,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Job").field("writes", &self.writes.len()).finish()
    }
}

impl GroupCommit {
    /// Starts the committing task on the current tokio runtime. `store` must begin its
    /// transactions directly (not through this group), and should hold no reference back
    /// to it: the task ends when the last `GroupCommit` handle is dropped.
    pub fn start(store: Arc<dyn Store>) -> Self {
        let (jobs, queue) = mpsc::unbounded_channel();
        tokio::spawn(commit_groups(store, queue));
        Self { jobs }
    }

    /// Commits `writes` atomically, with whatever other writes are waiting: all of them or
    /// (on any error) none, whatever happens to the others.
    pub async fn write(&self, writes: Vec<Write>) -> Answer {
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send(Job { writes, reply })
            .map_err(|_| StoreError::other("the store is shutting down; nothing was written"))?;
        answer
            .await
            .map_err(|_| StoreError::other("the write was cut off before it was committed; nothing was written"))?
    }
}

async fn commit_groups(store: Arc<dyn Store>, mut queue: mpsc::UnboundedReceiver<Job>) {
    while let Some(first) = queue.recv().await {
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match queue.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        let (writes, replies): (Vec<_>, Vec<_>) = group.into_iter().map(|j| (j.writes, j.reply)).unzip();
        match commit_group(store.as_ref(), writes).await {
            Ok(answers) => {
                for (reply, answer) in replies.into_iter().zip(answers) {
                    // A caller that stopped waiting no longer needs its answer.
                    let _ = reply.send(answer);
                }
            }
            Err(e) => {
                // Nothing of the group was committed: every write in it fails alike.
                for reply in replies {
                    let _ = reply.send(Err(same_error(&e)));
                }
            }
        }
    }
}

/// One transaction for the group: each write's outcome, or the error that stopped the
/// whole transaction (then nothing was committed).
async fn commit_group(store: &dyn Store, writes: Vec<Vec<Write>>) -> StoreResult<Vec<Answer>> {
    if writes.len() > 1 {
        // Writes rarely fail, so the group is first tried without savepoints (two fewer
        // statements per write); if any write fails, it is rolled back and done again with
        // a savepoint for each caller, so that the failure is undone alone.
        let mut tx = store.begin().await?;
        match apply_together(tx.as_mut(), writes.clone(), Utc::now()).await {
            Ok(applied) => {
                tx.commit().await?;
                return Ok(applied.into_iter().map(Ok).collect());
            }
            Err(_) => tx.rollback().await?,
        }
    }
    let mut tx = store.begin().await?;
    // Taken after the transaction holds the write lock, so event times follow chain order.
    let now = Utc::now();
    let answers = apply_group(tx.as_mut(), writes, now).await?;
    if answers.iter().any(Result::is_ok) {
        tx.commit().await?;
    }
    Ok(answers)
}

/// A copy of a group's error for each of its writes.
fn same_error(e: &StoreError) -> StoreError {
    match e {
        StoreError::NotFound(m) => StoreError::NotFound(m.clone()),
        StoreError::Conflict(m) => StoreError::Conflict(m.clone()),
        StoreError::Invalid(v) => StoreError::Invalid(v.clone()),
        StoreError::Other(m) => StoreError::Other(m.clone()),
    }
}
