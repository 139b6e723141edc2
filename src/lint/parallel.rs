//! Per-object work spread over the machine's cores: workers take chunks of the input in turn
//! (so that a run of expensive objects does not leave one core busy and the others idle), and
//! the results come back in input order. Small inputs run on the calling thread.

use std::sync::atomic::{AtomicUsize, Ordering};

/// Inputs smaller than this run on the calling thread: starting workers would cost more.
const MIN_PARALLEL: usize = 256;

/// How many items a worker takes at a time.
const CHUNK: usize = 64;

/// The number of workers: the cores this process may use.
pub fn workers() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// `work(state, index, item)` for every item, in order; each worker has its own `state`
/// (a cache, say), made with `S::default()`. For many small items (objects).
pub fn map<'i, T, R, S, F>(items: &'i [T], work: F) -> Vec<R>
where
    T: Sync,
    R: Send,
    S: Default,
    F: Fn(&mut S, usize, &'i T) -> R + Sync,
{
    run(items, CHUNK, MIN_PARALLEL, work)
}

/// [`map`] for few large items (files): workers take one at a time, and two are enough to
/// share the work.
pub fn map_each<'i, T, R, S, F>(items: &'i [T], work: F) -> Vec<R>
where
    T: Sync,
    R: Send,
    S: Default,
    F: Fn(&mut S, usize, &'i T) -> R + Sync,
{
    run(items, 1, 2, work)
}

fn run<'i, T, R, S, F>(items: &'i [T], chunk_len: usize, min: usize, work: F) -> Vec<R>
where
    T: Sync,
    R: Send,
    S: Default,
    F: Fn(&mut S, usize, &'i T) -> R + Sync,
{
    let workers = workers().min(items.len().div_ceil(chunk_len));
    if workers <= 1 || items.len() < min {
        let mut state = S::default();
        return items
            .iter()
            .enumerate()
            .map(|(i, item)| work(&mut state, i, item))
            .collect();
    }
    let next = AtomicUsize::new(0);
    let worker = || {
        let mut state = S::default();
        let mut done: Vec<(usize, Vec<R>)> = Vec::new();
        loop {
            let chunk = next.fetch_add(1, Ordering::Relaxed);
            let start = chunk * chunk_len;
            if start >= items.len() {
                return done;
            }
            let end = (start + chunk_len).min(items.len());
            let results = (start..end)
                .map(|i| work(&mut state, i, &items[i]))
                .collect();
            done.push((chunk, results));
        }
    };
    let mut chunks: Vec<(usize, Vec<R>)> = std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..workers)
            .filter_map(|_| std::thread::Builder::new().spawn_scoped(scope, worker).ok())
            .collect();
        let mut all = worker();
        for helper in helpers {
            match helper.join() {
                Ok(done) => all.extend(done),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        all
    });
    chunks.sort_unstable_by_key(|(chunk, _)| *chunk);
    chunks
        .into_iter()
        .flat_map(|(_, results)| results)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_keep_the_input_order() {
        let items: Vec<usize> = (0..10_000).collect();
        let doubled = map(&items, |calls: &mut usize, i, item| {
            *calls += 1;
            assert_eq!(i, *item);
            item * 2
        });
        assert_eq!(doubled, items.iter().map(|i| i * 2).collect::<Vec<_>>());
        assert!(map(&[] as &[u8], |_: &mut (), _, x| *x).is_empty());
        let files = ["a", "b", "c"];
        assert_eq!(map_each(&files, |_: &mut (), _, f| f.len()), [1, 1, 1]);
    }
}
