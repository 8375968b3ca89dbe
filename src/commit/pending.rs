//! The answer of a write, as a future: ready at once, or once the batch
//! holding the write is durable (see the module above for the queue it
//! drives).

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use super::{Batch, Phase, Settled, Shared};
use crate::error::{Error, Result};

/// The answer of a write: ready at once (memory backend, or refused before
/// anything changed), or once the batch holding the write is durable.
pub enum Pending<T> {
    /// Known now; `None` once taken.
    Ready(Option<Result<T>>),
    /// Known when `batch` has committed.
    Waiting {
        /// The answer, handed out once the batch is durable; `None` once taken.
        answer: Option<T>,
        /// The batch holding the write.
        batch: Rc<Batch>,
        /// The write's number in the batch, by which storage refuses it
        /// (`usize::MAX` for no write of its own).
        call: usize,
        /// Makes the answer what storage decided (versions, instances).
        settle: fn(T, &Settled) -> T,
        /// The store's index and commit queue, which the awaiting caller drives.
        shared: Rc<Shared>,
    },
}

impl<T> Pending<T> {
    /// The answer to a write: at once when nothing waits for the backend.
    pub fn after(answer: T, batch: Option<(Rc<Batch>, usize)>, shared: &Rc<Shared>) -> Pending<T> {
        Pending::settled_by(answer, batch, shared, |answer, _| answer)
    }

    /// As [`Pending::after`], for an answer that holds what storage may
    /// decide otherwise, made right by `settle`.
    pub fn settled_by(answer: T, batch: Option<(Rc<Batch>, usize)>, shared: &Rc<Shared>, settle: fn(T, &Settled) -> T) -> Pending<T> {
        match batch {
            None => Pending::Ready(Some(Ok(answer))),
            Some((batch, call)) => Pending::Waiting { answer: Some(answer), batch, call, settle, shared: shared.clone() },
        }
    }

    /// The answer if it is known without waiting, else the pending write.
    pub fn into_ready(mut self) -> std::result::Result<Result<T>, Pending<T>> {
        if let Pending::Ready(answer) = &mut self {
            if let Some(answer) = answer.take() {
                return Ok(answer);
            }
        }
        Err(self)
    }
}

impl<T> Drop for Pending<T> {
    fn drop(&mut self) {
        if let Pending::Waiting { batch, shared, .. } = self {
            if !matches!(batch.0.borrow().phase, Phase::Done(_)) {
                shared.hand_over();
            }
        }
    }
}

impl<T> From<Result<T>> for Pending<T> {
    fn from(answer: Result<T>) -> Self {
        Pending::Ready(Some(answer))
    }
}

fn polled_twice() -> Error {
    Error::InvalidArgument { name: "This write".to_string(), problem: "was already awaited.".to_string() }
}

impl<T: Unpin> Future for Pending<T> {
    type Output = Result<T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<T>> {
        match self.get_mut() {
            Pending::Ready(answer) => Poll::Ready(answer.take().unwrap_or(Err(polled_twice()))),
            Pending::Waiting { answer, batch, call, settle, shared } => match shared.poll(batch, cx) {
                Poll::Pending => Poll::Pending,
                Poll::Ready(Err(e)) => Poll::Ready(Err(Error::Storage(e))),
                Poll::Ready(Ok(settled)) => Poll::Ready(match settled.refusal(*call) {
                    Some(refused) => Err(refused),
                    None => answer.take().map(|answer| settle(answer, &settled)).ok_or_else(polled_twice),
                }),
            },
        }
    }
}
