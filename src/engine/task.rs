//! Background tasks for the app: any work that walks the graph runs here, never on the UI
//! thread. A task publishes its result once; the UI polls it each frame and is woken when it
//! lands. Nothing here knows about egui: the waker is a plain callback.

use std::sync::{Arc, OnceLock};

use crate::error::Error;
use crate::progress::Progress;
pub use crate::progress::Waker;

pub struct Task<T> {
    result: Arc<OnceLock<Result<T, Error>>>,
    pub progress: Progress,
}

impl<T: Send + Sync + 'static> Task<T> {
    /// Runs `work` on the shared thread pool.
    pub fn spawn(waker: Waker, work: impl FnOnce(&Progress) -> Result<T, Error> + Send + 'static) -> Task<T> {
        let result = Arc::new(OnceLock::new());
        let progress = Progress::new();
        let (r, p) = (result.clone(), progress.clone());
        rayon::spawn(move || {
            let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(&p)))
                .unwrap_or_else(|_| Err(Error::invalid("internal error in a background task")));
            let _ = r.set(out);
            waker();
        });
        Task { result, progress }
    }

    /// Runs `work` on a thread of its own: for work that mostly waits (child processes), which
    /// must not hold one of the pool's threads.
    pub(crate) fn spawn_thread(
        waker: Waker,
        work: impl FnOnce(&Progress) -> Result<T, Error> + Send + 'static,
    ) -> Task<T> {
        let result = Arc::new(OnceLock::new());
        let progress = Progress::new();
        let (r, p) = (result.clone(), progress.clone());
        let spawned = std::thread::Builder::new().name("task".into()).spawn(move || {
            let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(&p)))
                .unwrap_or_else(|_| Err(Error::invalid("internal error in a background task")));
            let _ = r.set(out);
            waker();
        });
        if let Err(e) = spawned {
            let _ = result.set(Err(Error::invalid(format!("cannot start a thread: {e}"))));
        }
        Task { result, progress }
    }

    /// A task whose result is already known.
    pub fn ready(value: T) -> Task<T> {
        let result = Arc::new(OnceLock::new());
        let _ = result.set(Ok(value));
        Task {
            result,
            progress: Progress::new(),
        }
    }

    pub fn get(&self) -> Option<&Result<T, Error>> {
        self.result.get()
    }

    /// The value if the task finished well.
    pub fn value(&self) -> Option<&T> {
        self.result.get().and_then(|r| r.as_ref().ok())
    }

    pub fn is_done(&self) -> bool {
        self.result.get().is_some()
    }

    pub fn cancel(&self) {
        self.progress.cancel();
    }
}

impl<T> Drop for Task<T> {
    fn drop(&mut self) {
        // Nobody can see the result any more: let long work stop early.
        self.progress.cancel();
    }
}
