//! The criterion settings every bench shares (the C ABI bench includes this file by path), so a
//! change of timing is made once and every group stays comparable.

use std::time::Duration;

use criterion::Criterion;

/// One second of warm-up and three of measurement per case, then the command line's options.
pub fn criterion() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args()
}
