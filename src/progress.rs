//! A progress bar for long host loops: drawn on stderr when it is a
//! terminal, after the loop has run for a second, and redrawn at most ten
//! times a second (a redraw per iteration made a million-iteration loop
//! five times slower in a terminal than in a pipe).

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

/// How long a loop runs before its bar appears: short loops show none.
const DELAY: Duration = Duration::from_secs(1);
/// The least time between two redraws.
const INTERVAL: Duration = Duration::from_millis(100);
/// The width of the bar itself, in characters.
const WIDTH: u64 = 30;

/// The time since the bar started; a fake one in tests.
pub trait Clock {
    fn elapsed(&self) -> Duration;
}

/// The real clock.
pub struct Wall(Instant);

impl Clock for Wall {
    fn elapsed(&self) -> Duration {
        self.0.elapsed()
    }
}

/// A loop's progress: iterations done of `total`, their rate and the time left.
pub struct Progress<C: Clock = Wall, W: Write = std::io::Stderr> {
    /// `None` when nothing is shown (not a terminal, or turned off).
    out: Option<W>,
    clock: C,
    total: u64,
    done: u64,
    /// When the bar was last drawn, if it was.
    last: Option<Duration>,
    /// The length of the last line drawn, to clear it.
    drawn: usize,
}

impl Progress {
    /// A bar on stderr, shown when `enabled` and stderr is a terminal.
    pub fn new(enabled: bool, total: u64) -> Progress {
        let out = (enabled && std::io::stderr().is_terminal()).then(std::io::stderr);
        Progress::with(out, Wall(Instant::now()), total)
    }
}

impl<C: Clock, W: Write> Progress<C, W> {
    /// A bar written to `out` (none when `None`) and timed by `clock`.
    pub fn with(out: Option<W>, clock: C, total: u64) -> Progress<C, W> {
        Progress {
            out,
            clock,
            total,
            done: 0,
            last: None,
            drawn: 0,
        }
    }

    /// One more iteration done; redraws when the last draw is old enough.
    pub fn tick(&mut self) {
        self.done += 1;
        if self.out.is_none() {
            return;
        }
        let now = self.clock.elapsed();
        let due = match self.last {
            None => now >= DELAY,
            Some(last) => now.saturating_sub(last) >= INTERVAL,
        };
        if due {
            self.last = Some(now);
            self.draw(now);
        }
    }

    fn draw(&mut self, now: Duration) {
        let line = render(self.done, self.total, now);
        let pad = self.drawn.saturating_sub(line.chars().count());
        if let Some(out) = self.out.as_mut() {
            let _ = write!(out, "\r{}{}", line, " ".repeat(pad));
            let _ = out.flush();
        }
        self.drawn = line.chars().count();
    }

    /// Clears the bar, if one was drawn.
    pub fn finish(&mut self) {
        if let (Some(out), true) = (self.out.as_mut(), self.drawn > 0) {
            let _ = write!(out, "\r{}\r", " ".repeat(self.drawn));
            let _ = out.flush();
        }
        self.drawn = 0;
    }
}

/// A loop left early (a `return`, an error) clears its bar too, so that an
/// error message starts on a clean line.
impl<C: Clock, W: Write> Drop for Progress<C, W> {
    fn drop(&mut self) {
        self.finish();
    }
}

/// `[=====      ] 1234/10000  2.5k it/s  3.5 s left`: the rate is the mean
/// over the loop so far, and the time left is what remains at that rate.
pub fn render(done: u64, total: u64, elapsed: Duration) -> String {
    let filled = (done.min(total) * WIDTH / total.max(1)) as usize;
    let rate = done as f64 / elapsed.as_secs_f64().max(1e-9);
    let left = total.saturating_sub(done) as f64 / rate.max(1e-9);
    format!(
        "[{}{}] {}/{}  {} it/s  {} left",
        "=".repeat(filled),
        " ".repeat(WIDTH as usize - filled),
        done,
        total,
        si(rate),
        duration(left)
    )
}

/// `12.3`, `4.56k`, `7.89M`: three significant digits.
pub fn si(x: f64) -> String {
    let (value, unit) = match x {
        x if x >= 1e9 => (x / 1e9, "G"),
        x if x >= 1e6 => (x / 1e6, "M"),
        x if x >= 1e3 => (x / 1e3, "k"),
        x => (x, ""),
    };
    let digits = match value {
        v if v >= 100.0 => 0,
        v if v >= 10.0 => 1,
        _ => 2,
    };
    format!("{:.*}{}", digits, value, unit)
}

/// `4.2 s`, `3m 05s`, `2h 07m`.
pub fn duration(seconds: f64) -> String {
    if !seconds.is_finite() {
        return "?".into();
    }
    let s = seconds.max(0.0);
    if s < 60.0 {
        return format!("{:.1} s", s);
    }
    let whole = s.round() as u64;
    match whole {
        w if w < 3600 => format!("{}m {:02}s", w / 60, w % 60),
        w => format!("{}h {:02}m", w / 3600, w % 3600 / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;
    use std::rc::Rc;

    /// A clock the test moves by hand.
    #[derive(Clone, Default)]
    struct Fake(Rc<Cell<Duration>>);

    impl Fake {
        fn advance(&self, by: Duration) {
            self.0.set(self.0.get() + by);
        }
    }

    impl Clock for Fake {
        fn elapsed(&self) -> Duration {
            self.0.get()
        }
    }

    /// A writer whose bytes the test reads back.
    #[derive(Clone, Default)]
    struct Shared(Rc<std::cell::RefCell<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.borrow_mut().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Shared {
        fn text(&self) -> String {
            String::from_utf8_lossy(&self.0.borrow()).into_owned()
        }
    }

    /// Runs `n` iterations of `step` each on a fake clock, then `end`s the
    /// bar; the output.
    fn run_then(n: u64, step: Duration, end: impl FnOnce(Progress<Fake, Shared>)) -> String {
        let clock = Fake::default();
        let out = Shared::default();
        let mut bar = Progress::with(Some(out.clone()), clock.clone(), n);
        for _ in 0..n {
            clock.advance(step);
            bar.tick();
        }
        end(bar);
        out.text()
    }

    fn run(n: u64, step: Duration) -> String {
        run_then(n, step, |mut bar| bar.finish())
    }

    fn redraws(out: &str) -> usize {
        out.matches(" it/s").count()
    }

    #[test]
    fn a_million_iterations_in_ten_seconds_redraw_about_ninety_times() {
        // 10 µs each: the bar appears at 1 s, then every 100 ms until 10 s.
        let out = run(1_000_000, Duration::from_micros(10));
        assert_eq!(redraws(&out), 91);
    }

    #[test]
    fn slow_iterations_redraw_once_each_after_the_delay() {
        // 0.5 s each: drawn from the second iteration on, once per iteration.
        let out = run(10, Duration::from_millis(500));
        assert_eq!(redraws(&out), 9);
    }

    #[test]
    fn a_loop_under_a_second_draws_nothing() {
        assert_eq!(run(1000, Duration::from_micros(900)), "");
    }

    #[test]
    fn the_bar_is_cleared_at_the_end() {
        let out = run(20, Duration::from_millis(100));
        assert!(out.ends_with('\r'), "{:?}", out);
        let last = out.trim_end_matches('\r').rsplit('\r').next().unwrap_or("");
        assert!(last.trim().is_empty(), "{:?}", last);
    }

    #[test]
    fn a_loop_left_early_clears_its_bar() {
        let out = run_then(20, Duration::from_millis(100), drop);
        assert!(out.contains(" it/s"));
        let last = out.trim_end_matches('\r').rsplit('\r').next().unwrap_or("");
        assert!(last.trim().is_empty(), "{:?}", last);
    }

    #[test]
    fn no_writer_no_output_and_no_clock_reads() {
        struct Panics;
        impl Clock for Panics {
            fn elapsed(&self) -> Duration {
                panic!("the clock was read")
            }
        }
        let mut bar: Progress<Panics, Vec<u8>> = Progress::with(None, Panics, 10);
        bar.tick();
        bar.finish();
    }

    #[test]
    fn the_line_shows_count_rate_and_time_left() {
        let line = render(2500, 10_000, Duration::from_secs(1));
        assert_eq!(
            line,
            format!(
                "[{}{}] 2500/10000  2.50k it/s  3.0 s left",
                "=".repeat(7),
                " ".repeat(23)
            )
        );
        assert_eq!(duration(185.0), "3m 05s");
        assert_eq!(duration(7620.0), "2h 07m");
        assert_eq!(si(123456.0), "123k");
        assert_eq!(si(9.5), "9.50");
    }
}
