//! The integration tests, one binary: each module a concern, run against servers the tests
//! start on 127.0.0.1 (the real `sluice` binary, or the engine in-process), sharing one
//! compiled `common`.

mod common;

mod app_update;
mod architecture;
mod autopilot;
mod checks;
mod connections;
mod control;
mod dashboard;
mod dashboard_pty;
mod dashboard_steps;
mod docs;
mod emfile_retry;
mod faults;
mod headless_run;
mod http2;
mod limit;
mod merge;
mod open_files;
mod packaging;
mod panics;
mod plot;
mod rate;
mod redirects;
mod report;
mod routes;
mod scenarios;
mod scenarios_across;
mod schedules;
mod steps_live;
mod targets;
mod templates;
mod timings;
mod tls_options;
mod trust;
mod untrusted;
mod untrusted_files;
mod untrusted_more;
mod untrusted_peers;
mod untrusted_screens;
mod untrusted_servers;
mod urls_file;
