//! [`map_in_order`]: work on a sequence of items on several threads, with
//! the results used one by one in the items' order, so that what the
//! dry run prints is byte for byte what one thread would print.
//!
//! It knows nothing of any API: the dry run hands it planned batches with
//! their timestamps and nonces already drawn (in order, on the caller's
//! thread), and a function that signs and renders one.

use std::collections::BTreeMap;
use std::num::NonZeroUsize;
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Mutex, mpsc};

/// Environment variable that sets how many threads sign a large dry run
/// (`1` keeps it on the main thread); by default, the available cores.
pub const THREADS_VAR: &str = "TCDN_THREADS";

/// At most this many threads, whatever the machine: signing is cheap next
/// to printing, so more would only wait.
const MAX_THREADS: usize = 8;

/// The threads to use for `items` items of work: one for a small input,
/// else [`THREADS_VAR`] if set to a positive number, else the available
/// cores (at most [`MAX_THREADS`]).
pub fn threads_for(items: usize, large: usize) -> NonZeroUsize {
    if items < large {
        return NonZeroUsize::MIN;
    }
    let chosen = std::env::var(THREADS_VAR)
        .ok()
        .and_then(|text| text.trim().parse::<NonZeroUsize>().ok())
        .or_else(|| std::thread::available_parallelism().ok());
    chosen.map_or(NonZeroUsize::MIN, |n| {
        n.min(NonZeroUsize::new(MAX_THREADS).unwrap_or(NonZeroUsize::MIN))
    })
}

/// Applies `work` to every item on `threads` threads and hands each result
/// to `emit` on the calling thread, in the order of `items`. Items are
/// pulled from `items` on the calling thread, a few at a time, and only a
/// few groups per thread are in flight at once, so the results are
/// streamed, never gathered.
///
/// With one thread, no thread is started: `emit(work(item))` in a loop.
/// The first error of `emit` stops the work and is returned. A panic in
/// `work` is carried over to the caller.
pub fn map_in_order<T, R, E>(
    items: impl IntoIterator<Item = T>,
    threads: NonZeroUsize,
    work: impl Fn(T) -> R + Sync,
    emit: impl FnMut(R) -> Result<(), E>,
) -> Result<(), E>
where
    T: Send,
    R: Send,
{
    map_in_order_weighed(items, threads, |_| 1, work, emit)
}

/// [`map_in_order`] with items of uneven size: `weight` tells what an item
/// weighs, 1 for the least, and a group is handed over once it weighs
/// [`GROUP`]. An item that is work enough alone (a request of hundreds of
/// URLs) then travels alone, so that fewer items, and fewer of their
/// results, are in flight at once; small ones still travel together.
pub fn map_in_order_weighed<T, R, E>(
    items: impl IntoIterator<Item = T>,
    threads: NonZeroUsize,
    weight: impl Fn(&T) -> usize,
    work: impl Fn(T) -> R + Sync,
    mut emit: impl FnMut(R) -> Result<(), E>,
) -> Result<(), E>
where
    T: Send,
    R: Send,
{
    keep_freed_memory_for_reuse();
    let mut items = items.into_iter();
    if threads.get() == 1 {
        return items.try_for_each(|item| emit(work(item)));
    }
    // Items travel in groups: each hand-off between threads wakes one, and
    // with an item at a time, waking took more time than the work on a
    // loaded two-core machine.
    let mut groups = std::iter::from_fn(|| next_group(&mut items, &weight));
    let window = threads.get() * 2;
    let (jobs, job_queue) = mpsc::sync_channel::<(usize, Vec<T>)>(window);
    let job_queue = Mutex::new(job_queue);
    let (done, results) = mpsc::channel();
    std::thread::scope(|scope| {
        // Owned here, so that it is dropped when this returns or unwinds,
        // which ends the workers.
        let jobs = jobs;
        for _ in 0..threads.get() {
            let (job_queue, done, work) = (&job_queue, done.clone(), &work);
            scope.spawn(move || {
                loop {
                    let job = match job_queue.lock() {
                        Ok(queue) => queue.recv(),
                        Err(_) => return,
                    };
                    let Ok((seq, group)) = job else { return };
                    let result = panic::catch_unwind(AssertUnwindSafe(|| {
                        group.into_iter().map(work).collect::<Vec<R>>()
                    }));
                    if done.send((seq, result)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(done);
        let mut sent = 0usize;
        let mut next = 0usize;
        let mut ready = BTreeMap::new();
        loop {
            while sent - next < window {
                let Some(group) = groups.next() else { break };
                if jobs.send((sent, group)).is_err() {
                    unreachable!("the workers outlive the jobs channel");
                }
                sent += 1;
            }
            if next == sent {
                return Ok(());
            }
            while !ready.contains_key(&next) {
                let Ok((seq, result)) = results.recv() else {
                    unreachable!("a worker stopped with work in flight");
                };
                ready.insert(seq, result);
            }
            while let Some(result) = ready.remove(&next) {
                match result {
                    Ok(results) => results.into_iter().try_for_each(&mut emit)?,
                    Err(payload) => panic::resume_unwind(payload),
                }
                next += 1;
            }
        }
    })
}

/// Items handed to a worker at once (of weight 1 each; see
/// [`map_in_order_weighed`]).
const GROUP: usize = 4;

/// The next items of `items` up to a weight of [`GROUP`] (the last one
/// may take it over), or `None` when there are none left.
fn next_group<T>(
    items: &mut impl Iterator<Item = T>,
    weight: impl Fn(&T) -> usize,
) -> Option<Vec<T>> {
    let mut group = Vec::new();
    let mut weighs = 0;
    while weighs < GROUP {
        let Some(item) = items.next() else { break };
        weighs += weight(&item).max(1);
        group.push(item);
    }
    (!group.is_empty()).then_some(group)
}

/// Allocates and frees one block of [`HEAP_KEPT`] bytes, once per process.
///
/// The work here allocates and frees buffers of tens of kilobytes per item,
/// on every thread. glibc gives the top of a heap back to the system as
/// soon as 128 KiB of it are free, so each thread's heap shrank after every
/// batch and its pages were faulted in again for the next: about a fifth
/// of a dry run's time. glibc raises that threshold to twice the size of
/// the largest block it mapped on its own and then freed (the dynamic
/// `M_MMAP_THRESHOLD` of mallopt(3)), which this block is; what it keeps
/// is reused at once, and the peak memory does not change. Other
/// allocators just allocate and free it.
fn keep_freed_memory_for_reuse() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| drop(std::hint::black_box(Vec::<u8>::with_capacity(HEAP_KEPT))));
}

/// See [`keep_freed_memory_for_reuse`]: 1 MiB, so that up to 2 MiB of each
/// heap's top is kept.
const HEAP_KEPT: usize = 1 << 20;

#[cfg(test)]
mod tests {
    use super::*;

    fn threads(n: usize) -> NonZeroUsize {
        NonZeroUsize::new(n).unwrap()
    }

    #[test]
    fn results_come_in_item_order_at_any_thread_count() {
        let expected: Vec<u64> = (0..500u64).map(|i| i * i).collect();
        for n in [1, 2, 3, 8] {
            let mut got = Vec::new();
            map_in_order(
                0..500u64,
                threads(n),
                |i| {
                    // Uneven work, so results arrive out of order.
                    if i % 7 == 0 {
                        std::thread::yield_now();
                    }
                    i * i
                },
                |r| {
                    got.push(r);
                    Ok::<(), ()>(())
                },
            )
            .unwrap();
            assert_eq!(got, expected, "{n} threads");
        }
    }

    #[test]
    fn the_first_emit_error_stops_and_is_returned() {
        let mut seen = 0;
        let outcome = map_in_order(
            0..1000u32,
            threads(2),
            |i| i,
            |i| {
                seen += 1;
                if i == 10 { Err(i) } else { Ok(()) }
            },
        );
        assert_eq!(outcome, Err(10));
        assert_eq!(seen, 11);
    }

    #[test]
    fn a_panic_in_the_work_reaches_the_caller() {
        let outcome = panic::catch_unwind(|| {
            map_in_order(
                0..100u32,
                threads(2),
                |i| assert_ne!(i, 42),
                |()| Ok::<(), ()>(()),
            )
        });
        assert!(outcome.is_err());
    }

    #[test]
    fn heavy_items_travel_alone_and_light_ones_together() {
        let sizes = Mutex::new(Vec::new());
        let mut got = Vec::new();
        // Every item is a group of one item or more: the worker sees
        // which items came with it through the order of its calls.
        map_in_order_weighed(
            [1usize, 1, 1, 1, 1, 9, 1, 4, 1, 1],
            threads(2),
            |&w| w,
            |w| {
                sizes.lock().unwrap().push(w);
                w
            },
            |w| {
                got.push(w);
                Ok::<(), ()>(())
            },
        )
        .unwrap();
        assert_eq!(got, [1, 1, 1, 1, 1, 9, 1, 4, 1, 1]);
        assert_eq!(sizes.into_inner().unwrap().len(), 10);
    }

    #[test]
    fn small_inputs_stay_on_one_thread() {
        assert_eq!(threads_for(10, 100), NonZeroUsize::MIN);
    }
}
