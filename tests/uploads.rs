//! Uploads: a host array a function captures goes to the device once, not
//! on every host call. Alone in its test binary, so that no other test's
//! uploads are counted with its own.

mod common;

use common::Captured;
use nest::backend::Backend;

fn run(source: &str, backend: &Backend) {
    let out = Captured::default();
    let mut session = nest::Session::new(Box::new(out.clone()));
    session.set_backend(backend.clone());
    if let Err(d) = session.run_source("<test>", source) {
        panic!("{}", session.render(&d));
    }
}

/// A host array a function captures is a constant of its program, uploaded
/// once when the program is prepared, not on every call; arguments already
/// on the device are not uploaded again either.
#[test]
fn captured_arrays_are_uploaded_once() {
    let Some(Backend::Xla(xla)) = common::xla() else {
        return;
    };
    let uploads_of = |calls: usize| {
        let src = format!(
            "let w = normal(key(0), [32, 32]) * 0.1;
fn step(x) {{ tanh(w @ x) }}
var x = step(ones([32]));
for i in 0..{calls} {{ x = step(x); }}
print(sum(x));"
        );
        let before = xla.uploads();
        run(&src, &Backend::Xla(xla.clone()));
        xla.uploads() - before
    };
    // The same uploads for 1 call as for 50: none per call. (The first
    // run also prepares what every run shares, the executables of the
    // builtins written in nest among them.)
    uploads_of(1);
    let (one, many) = (uploads_of(1), uploads_of(50));
    assert_eq!(
        one, many,
        "uploads grow with the calls: {one} for 1, {many} for 50"
    );
    // And only a few in all: `w`, the first argument, small host values.
    assert!(one <= 4, "{one} uploads");
}
