//! Plays a schedule on the generator: every step, the changes due go through the handle
//! (recorded as the script says); a key that moves a knob takes over and ends it.

use super::Script;
use crate::engine::generator::Handle;
use crate::engine::steer::Source;
use crate::engine::steer::{RunState, ScheduleState};
use std::time::Duration;
use tokio::time::{Instant, MissedTickBehavior};

/// How often a schedule is stepped: a ramp moves in tenths of a second.
const STEP: Duration = Duration::from_millis(100);

/// Plays `script` from `started`, its changes recorded as `source`, until it ends (then the
/// run is stopped), a key takes over, or the run ends.
pub async fn play(mut script: impl Script, generator: Handle, started: Instant, source: Source) {
    let mut steps = tokio::time::interval_at(started, STEP);
    steps.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        steps.tick().await;
        let taken_over = generator.schedule() == ScheduleState::Manual;
        if taken_over || matches!(generator.state(), RunState::Stopping | RunState::Done) {
            return;
        }
        let Some(played) = script.at(started.elapsed()) else {
            generator.note_schedule(ScheduleState::Ended);
            generator.stop();
            return;
        };
        for (change, record) in played.changes {
            generator.apply(change, record.then_some(source));
        }
        generator.note_schedule(ScheduleState::Playing {
            step: played.step,
            of: played.of,
        });
    }
}
