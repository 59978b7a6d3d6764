//! Setup through the admin API: a fresh concert and fresh users for every run, so runs
//! never depend on data left by earlier ones.

use anyhow::{Context as _, ensure};
use chrono::{SecondsFormat, TimeDelta, Utc};
use futures::{StreamExt as _, TryStreamExt as _};
use indicatif::ProgressBar;

use crate::client::Api;
use crate::wire::{CreateConcertRequest, CreateScheduleRequest};

/// The one schedule a run sells.
#[derive(Clone, Debug)]
pub(crate) struct Venue {
    pub schedule_id: i64,
    /// In seat-number order.
    pub seat_ids: Vec<i64>,
}

/// # Errors
/// When the server refuses or does not answer: without its concert a run means nothing.
pub(crate) async fn create_venue(api: &Api, seats: u32, seat_price: i64) -> anyhow::Result<Venue> {
    // A month ahead: far enough to stay bookable however long the run, and no clash with
    // other data since every run makes its own concert.
    let date = (Utc::now() + TimeDelta::days(30)).to_rfc3339_opts(SecondsFormat::Secs, true);
    let name = format!("boxoffice-bench {}", uuid::Uuid::new_v4().simple());
    let request = CreateConcertRequest {
        name: &name,
        schedules: vec![CreateScheduleRequest {
            date,
            seat_count: seats,
            seat_price,
        }],
    };
    let concert = api
        .create_concert(&request)
        .await
        .context("creating the bench's concert (POST /api/admin/concerts)")?;
    let [schedule] = <[_; 1]>::try_from(concert.schedules)
        .map_err(|got| anyhow::anyhow!("asked for 1 schedule, the server created {}", got.len()))?;
    ensure!(
        schedule.seat_ids.len() == seats as usize,
        "asked for {seats} seats, the server created {}",
        schedule.seat_ids.len()
    );
    Ok(Venue {
        schedule_id: schedule.schedule_id,
        seat_ids: schedule.seat_ids,
    })
}

/// Creates `count` users, `concurrency` requests at a time (the `Api` bounds them anyway;
/// this bounds the futures kept alive).
///
/// # Errors
/// On the first user the server refuses or does not answer.
pub(crate) async fn create_users(
    api: &Api,
    count: u32,
    concurrency: usize,
    bar: &ProgressBar,
) -> anyhow::Result<Vec<i64>> {
    futures::stream::iter(0..count)
        .map(|i| async move {
            let user = api.create_user(&format!("bench-{i}")).await;
            bar.inc(1);
            user.map(|user| user.user_id)
        })
        .buffered(concurrency)
        .try_collect()
        .await
        .context("creating users (POST /api/admin/users)")
}
